#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "size.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)
#define EIB (TIB * 1024 * 1024)

/* A value that no successful parse in these tests produces. */
#define SENTINEL UINT64_C(0xdeadbeefcafe)

static void assert_parses(const char *s, uint64_t want)
{
	uint64_t got = SENTINEL;

	assert_int_equal(size_parse(s, &got), 0);
	assert_true(got == want);
}

static void assert_rejected(const char *s, int want_rc)
{
	uint64_t got = SENTINEL;

	assert_int_equal(size_parse(s, &got), want_rc);
	/* A failed parse must leave the output alone. */
	assert_true(got == SENTINEL);
}

static void test_plain_bytes(void **state)
{
	assert_parses("0", 0);
	assert_parses("1", 1);
	assert_parses("123456", 123456);
	assert_parses("123456B", 123456);
	assert_parses("007", 7);
	assert_parses("18446744073709551615", UINT64_MAX);
}

static void test_suffixes(void **state)
{
	assert_parses("10G", 10 * GIB);
	assert_parses("512M", 512 * MIB);
	assert_parses("1K", KIB);
	assert_parses("3T", 3 * TIB);
	assert_parses("2P", 2 * TIB * 1024);
	assert_parses("15E", 15 * EIB);
	assert_parses("0G", 0);
}

static void test_suffix_spellings(void **state)
{
	assert_parses("10GiB", 10 * GIB);
	assert_parses("10gb", 10 * GIB);
	assert_parses("10g", 10 * GIB);
	assert_parses("10Gi", 10 * GIB);
	assert_parses("10gib", 10 * GIB);
	assert_parses("10GB", 10 * GIB);
}

static void test_decimals(void **state)
{
	assert_parses("1.5G", GIB + GIB / 2);
	assert_parses("0.5K", 512);
	assert_parses("2.25M", 2 * MIB + MIB / 4);
	/* 0.1 KiB is 102.4 bytes: rounded down. */
	assert_parses("0.1K", 102);
	assert_parses("0.999K", 1022);
	assert_parses("1.0G", GIB);
	/* Long fractions: 15.9999... E stays just below 2^64. */
	assert_parses("15.99999999999999999999E", UINT64_MAX - 1);
}

static void test_overflow(void **state)
{
	assert_rejected("18446744073709551616", -ERANGE);
	assert_rejected("99999999999999999999999", -ERANGE);
	assert_rejected("16E", -ERANGE);
	assert_rejected("16.0E", -ERANGE);
	assert_rejected("20000000T", -ERANGE);
	assert_rejected("17179869184G", -ERANGE);
	/* The largest whole count for a unit, plus a fraction, still fits. */
	assert_parses("18014398509481983.999K", UINT64_MAX - 1023 + 1022);
	assert_rejected("18014398509481984K", -ERANGE);
}

static void test_malformed(void **state)
{
	assert_rejected("", -EINVAL);
	assert_rejected(" 5G", -EINVAL);
	assert_rejected("5G ", -EINVAL);
	assert_rejected("5 G", -EINVAL);
	assert_rejected("-1", -EINVAL);
	assert_rejected("+1", -EINVAL);
	assert_rejected("G", -EINVAL);
	assert_rejected("1.2.3G", -EINVAL);
	assert_rejected("1.5", -EINVAL);
	assert_rejected("1.G", -EINVAL);
	assert_rejected(".5G", -EINVAL);
	assert_rejected("5X", -EINVAL);
	assert_rejected("5GG", -EINVAL);
	assert_rejected("5iB", -EINVAL);
	assert_rejected("5GBs", -EINVAL);
	assert_rejected("0x10", -EINVAL);
	assert_rejected("1e3", -EINVAL);
	/* Malformed wins over too large: the text is wrong either way. */
	assert_rejected("99999999999999999999999X", -EINVAL);
	assert_int_equal(size_parse(NULL, &(uint64_t){ 0 }), -EINVAL);
}

static void assert_formats(uint64_t bytes, const char *want)
{
	char buf[SIZE_FMT_LEN];

	memset(buf, 'x', sizeof(buf));
	assert_ptr_equal(size_format(bytes, buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	assert_formats(0, "0");
	assert_formats(512, "512");
	assert_formats(1023, "1023");
	assert_formats(KIB, "1K");
	assert_formats(KIB + KIB / 2, "1.5K");
	assert_formats(10 * GIB, "10G");
	assert_formats(GIB - 1, "1023.9M");
	assert_formats(GIB + GIB / 10 + 1, "1.1G");
	assert_formats(3 * TIB, "3T");
	assert_formats(2 * TIB * 1024, "2P");
	assert_formats(UINT64_MAX, "15.9E");
}

static void test_format_small_buffer(void **state)
{
	char buf[4];

	size_format(10 * GIB + GIB / 2, buf, sizeof(buf));
	assert_string_equal(buf, "10.");
}

/* What size_format() prints, size_parse() reads back (rounded down). */
static void test_round_trip(void **state)
{
	const uint64_t values[] = { 0, 1, 1023, KIB, 1536, 10 * GIB,
				    GIB + GIB / 2, 7 * TIB };
	char buf[SIZE_FMT_LEN];
	uint64_t back;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		size_format(values[i], buf, sizeof(buf));
		assert_int_equal(size_parse(buf, &back), 0);
		assert_true(back == values[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes),
		cmocka_unit_test(test_suffixes),
		cmocka_unit_test(test_suffix_spellings),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
