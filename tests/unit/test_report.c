#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quota.h"
#include "../../src/homequota/report.h"

#define GIB (UINT64_C(1) << 30)

/* Starts an in-memory stream; close it with stream_end(). */
static FILE *stream_start(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	assert_non_null(f);
	return f;
}

static char *stream_end(FILE *f, char **buf)
{
	assert_int_equal(fclose(f), 0);
	return *buf;
}

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = stream_start(&buf, &len);

	report_json_string(f, s);
	return stream_end(f, &buf);
}

static void expect_json(const char *raw, const char *want)
{
	char *got = json_of(raw);

	assert_string_equal(got, want);
	free(got);
}

static void test_json_plain(void **state)
{
	expect_json("", "\"\"");
	expect_json("alice", "\"alice\"");
	expect_json("a b:c#d/e", "\"a b:c#d/e\"");
	expect_json("q\"b\\s", "\"q\\\"b\\\\s\"");
}

static void test_json_control(void **state)
{
	expect_json("a\nb\tc", "\"a\\nb\\tc\"");
	expect_json("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	expect_json("\r", "\"\\u000d\"");
}

/* Valid multi-byte UTF-8 passes as is. */
static void test_json_utf8(void **state)
{
	expect_json("j\xc3\xbcrgen", "\"j\xc3\xbcrgen\"");
	expect_json("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	expect_json("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	expect_json("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
}

/* Each byte outside a valid sequence becomes one U+FFFD. */
static void test_json_invalid_utf8(void **state)
{
	expect_json("a\xff" "b", "\"a\\ufffdb\"");
	expect_json("\x80", "\"\\ufffd\"");
	/* overlong '/' and overlong NUL */
	expect_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	expect_json("\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	/* a surrogate, and a code point above U+10FFFF */
	expect_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	expect_json("\xf4\x90\x80\x80",
		    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* a sequence cut short, by the end or by an ASCII byte */
	expect_json("x\xc3", "\"x\\ufffd\"");
	expect_json("\xe2\x82z", "\"\\ufffd\\ufffdz\"");
}

static struct quota_usage usage(uint64_t used, uint64_t hard)
{
	struct quota_usage q = { .id = 1, .bytes_used = used,
				 .bytes_hard = hard };

	return q;
}

static void test_percent(void **state)
{
	struct quota_usage q;

	q = usage(0, 0);
	assert_true(report_percent(&q) == REPORT_NO_PERCENT);
	q = usage(5 * GIB, 0);
	assert_true(report_percent(&q) == REPORT_NO_PERCENT);
	q = usage(0, GIB);
	assert_true(report_percent(&q) == 0);
	q = usage(GIB / 2, GIB);
	assert_true(report_percent(&q) == 50);
	q = usage(GIB - 1, GIB);
	assert_true(report_percent(&q) == 99);
	q = usage(GIB, GIB);
	assert_true(report_percent(&q) == 100);
	q = usage(5 * GIB / 2, GIB);
	assert_true(report_percent(&q) == 250);
	q = usage(UINT64_MAX, 1024);
	assert_true(report_percent(&q) != REPORT_NO_PERCENT);
	assert_true(report_percent(&q) > 1000000000000000ull);
	q = usage(UINT64_MAX / 2, UINT64_MAX);
	assert_true(report_percent(&q) == 49);
	q = usage(UINT64_MAX, UINT64_MAX);
	assert_true(report_percent(&q) == 100);
	/* 2/3 and 1/7 of a limit: 66.67% and 14.29% */
	q = usage(2 * (UINT64_MAX / 3), UINT64_MAX / 3 * 3);
	assert_true(report_percent(&q) == 66);
	q = usage(GIB, 7 * GIB);
	assert_true(report_percent(&q) == 14);
	q = usage(UINT64_MAX - 1, UINT64_MAX);
	assert_true(report_percent(&q) == 99);
}

/* The 90% mark, exactly at the bound for limits not divisible by 10. */
static void test_over_90(void **state)
{
	struct quota_usage q;

	q = usage(UINT64_MAX, 0);
	assert_false(report_over_90(&q));
	q = usage(899, 1000);
	assert_false(report_over_90(&q));
	q = usage(900, 1000);
	assert_true(report_over_90(&q));
	/* 0.9 * 1025 = 922.5 */
	q = usage(922, 1025);
	assert_false(report_over_90(&q));
	q = usage(923, 1025);
	assert_true(report_over_90(&q));
	/* 0.9 * 1029 = 926.1 */
	q = usage(926, 1029);
	assert_false(report_over_90(&q));
	q = usage(927, 1029);
	assert_true(report_over_90(&q));
	q = usage(2000, 1000);
	assert_true(report_over_90(&q));
	q = usage(UINT64_MAX, UINT64_MAX);
	assert_true(report_over_90(&q));
	q = usage(UINT64_MAX / 10 * 9 - 1, UINT64_MAX);
	assert_false(report_over_90(&q));
}

static void add(struct report *r, uint32_t id, uint64_t used, uint64_t hard,
		const char *name)
{
	struct quota_usage q = usage(used, hard);

	q.id = id;
	assert_int_equal(report_add(r, &q), 0);
	if (name)
		assert_int_equal(report_name(r, id, name), 0);
}

/* Four homes, one of them at 95% of its limit and one without a home. */
static void sample(struct report *r)
{
	add(r, 1000, GIB, 10 * GIB, "alice");
	add(r, 1001, 19 * GIB / 2, 10 * GIB, "bob smith");
	add(r, 1002, 0, 0, NULL);
	add(r, 1003, 3 * GIB, 0, "a:b");
}

static void expect_ids(const struct report *r, const uint32_t *ids)
{
	for (size_t i = 0; i < r->len; i++)
		assert_int_equal(r->rows[i].q.id, ids[i]);
}

static void test_sort(void **state)
{
	static const uint32_t by_use[] = { 1001, 1003, 1000, 1002 };
	static const uint32_t by_name[] = { 1003, 1000, 1001, 1002 };
	static const uint32_t by_id[] = { 1000, 1001, 1002, 1003 };
	struct report r = { 0 };

	sample(&r);
	report_sort(&r, REPORT_SORT_USE);
	expect_ids(&r, by_use);
	report_sort(&r, REPORT_SORT_NAME);
	expect_ids(&r, by_name);
	report_sort(&r, REPORT_SORT_ID);
	expect_ids(&r, by_id);
	report_free(&r);
}

/* Equal use falls back to the ID, so the order never depends on input. */
static void test_sort_ties(void **state)
{
	static const uint32_t want[] = { 3, 5, 9, 4 };
	struct report r = { 0 };

	add(&r, 9, 100, 0, NULL);
	add(&r, 4, 50, 0, NULL);
	add(&r, 5, 100, 0, NULL);
	add(&r, 3, 100, 0, NULL);
	report_sort(&r, REPORT_SORT_USE);
	expect_ids(&r, want);
	report_free(&r);
}

static void test_name(void **state)
{
	struct report r = { 0 };

	add(&r, 5, 0, 0, NULL);
	add(&r, 7, 0, 0, NULL);
	assert_int_equal(report_name(&r, 6, "x"), -ENOENT);
	assert_int_equal(report_name(&r, 8, "x"), -ENOENT);
	/* Two homes claiming one ID: the first in byte order wins. */
	assert_int_equal(report_name(&r, 7, "zed"), 0);
	assert_int_equal(report_name(&r, 7, "amy"), 0);
	assert_int_equal(report_name(&r, 7, "bob"), 0);
	assert_string_equal(r.rows[1].name, "amy");
	assert_null(r.rows[0].name);
	report_free(&r);
}

static void test_totals(void **state)
{
	struct report r = { 0 };
	struct report_totals t;

	report_totals(&r, &t);
	assert_int_equal(t.rows, 0);
	assert_true(t.used == 0 && t.hard == 0 && t.over_90 == 0);

	sample(&r);
	report_totals(&r, &t);
	assert_int_equal(t.rows, 4);
	assert_true(t.used == GIB + 19 * GIB / 2 + 3 * GIB);
	assert_true(t.hard == 20 * GIB);
	assert_int_equal(t.over_90, 1);

	add(&r, 2000, UINT64_MAX, UINT64_MAX, NULL);
	report_totals(&r, &t);
	assert_true(t.used == UINT64_MAX && t.hard == UINT64_MAX);
	assert_int_equal(t.over_90, 2);
	report_free(&r);
}

static char *table_of(const struct report *r, bool bytes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = stream_start(&buf, &len);

	assert_int_equal(report_print(r, f, bytes), 0);
	return stream_end(f, &buf);
}

/* Names go last, escaped, and may hold spaces; the mark is '!'. */
static void test_table_names(void **state)
{
	struct report r = { 0 };
	char *out;

	sample(&r);
	add(&r, 1004, 0, GIB, "new\nline");
	out = table_of(&r, false);
	assert_string_equal(out,
		"  ID  USED  SOFT  HARD  INODES  ISOFT  IHARD  USE%  FLAG  NAME\n"
		"1000    1G     -   10G       0      -      -   10%     -  alice\n"
		"1001  9.5G     -   10G       0      -      -   95%     !  bob smith\n"
		"1002     0     -     -       0      -      -     -     -  -\n"
		"1003    3G     -     -       0      -      -     -     -  a\\x3ab\n"
		"1004     0     -    1G       0      -      -    0%     -  new\\x0aline\n"
		"total: 5 projects, used 13.5G, hard limits 21G, 1 at or above 90%\n");
	free(out);
	report_free(&r);
}

/* The first seven columns stay where scripts read them by position. */
static void test_table_columns(void **state)
{
	struct report r = { 0 };
	char *out, *line;
	char c[10][32];

	add(&r, 1001, 19 * GIB / 2, 10 * GIB, "bob smith");
	r.rows[0].q.bytes_soft = 9 * GIB;
	r.rows[0].q.inodes_used = 12;
	r.rows[0].q.inodes_hard = 500;
	out = table_of(&r, true);
	line = strchr(out, '\n') + 1;
	assert_int_equal(sscanf(line, "%31s %31s %31s %31s %31s %31s %31s %31s %31s %31s",
				c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
				c[8], c[9]), 10);
	assert_string_equal(c[0], "1001");
	assert_string_equal(c[1], "10200547328");
	assert_string_equal(c[2], "9663676416");
	assert_string_equal(c[3], "10737418240");
	assert_string_equal(c[4], "12");
	assert_string_equal(c[5], "-");
	assert_string_equal(c[6], "500");
	assert_string_equal(c[7], "95%");
	assert_string_equal(c[8], "!");
	assert_string_equal(c[9], "bob");
	free(out);
	report_free(&r);
}

static void test_json_document(void **state)
{
	struct report r = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	sample(&r);
	r.rows[2].q.inodes_used = 4;
	r.rows[1].name[0] = (char)0xff;
	f = stream_start(&buf, &len);
	assert_int_equal(report_print_json(&r, "/export", f), 0);
	stream_end(f, &buf);
	assert_string_equal(buf,
		"{\"path\":\"/export\",\"projects\":[\n"
		"{\"id\":1000,\"name\":\"alice\",\"used_bytes\":1073741824,\"soft_bytes\":0,\"hard_bytes\":10737418240,\"inodes_used\":0,\"inodes_soft\":0,\"inodes_hard\":0,\"percent_used\":10,\"over_90\":false},\n"
		"{\"id\":1001,\"name\":\"\\ufffdob smith\",\"used_bytes\":10200547328,\"soft_bytes\":0,\"hard_bytes\":10737418240,\"inodes_used\":0,\"inodes_soft\":0,\"inodes_hard\":0,\"percent_used\":95,\"over_90\":true},\n"
		"{\"id\":1002,\"name\":null,\"used_bytes\":0,\"soft_bytes\":0,\"hard_bytes\":0,\"inodes_used\":4,\"inodes_soft\":0,\"inodes_hard\":0,\"percent_used\":null,\"over_90\":false},\n"
		"{\"id\":1003,\"name\":\"a:b\",\"used_bytes\":3221225472,\"soft_bytes\":0,\"hard_bytes\":0,\"inodes_used\":0,\"inodes_soft\":0,\"inodes_hard\":0,\"percent_used\":null,\"over_90\":false}\n"
		"],\"totals\":{\"projects\":4,\"used_bytes\":14495514624,\"hard_bytes\":21474836480,\"over_90\":1}}\n");
	free(buf);
	report_free(&r);
}

static void test_json_empty(void **state)
{
	struct report r = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = stream_start(&buf, &len);

	assert_int_equal(report_print_json(&r, "/a\"b", f), 0);
	stream_end(f, &buf);
	assert_string_equal(buf,
		"{\"path\":\"/a\\\"b\",\"projects\":[\n"
		"],\"totals\":{\"projects\":0,\"used_bytes\":0,\"hard_bytes\":0,\"over_90\":0}}\n");
	free(buf);
}

static void touch(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

/*
 * Which entries count as homes: directories only, hidden ones and
 * symbolic links left out, in byte order.  The IDs need a filesystem with
 * project IDs and are tested in the VM.
 */
static void test_homes_scan(void **state)
{
	char dir[] = "/tmp/test_report.XXXXXX";
	struct report_home *homes;
	size_t n;
	int dfd;

	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(mkdirat(dfd, "zoe", 0755), 0);
	assert_int_equal(mkdirat(dfd, "bob smith", 0755), 0);
	assert_int_equal(mkdirat(dfd, ".hidden", 0755), 0);
	assert_int_equal(mkdirat(dfd, "lost+found", 0755), 0);
	assert_int_equal(symlinkat("zoe", dfd, "link"), 0);
	touch(dfd, "file");

	assert_int_equal(report_homes_scan(dfd, dir, &homes, &n), 0);
	/* Not a filesystem root, so lost+found is an ordinary home. */
	assert_int_equal(n, 3);
	assert_string_equal(homes[0].name, "bob smith");
	assert_string_equal(homes[1].name, "lost+found");
	assert_string_equal(homes[2].name, "zoe");
	report_homes_free(homes, n);

	unlinkat(dfd, "file", 0);
	unlinkat(dfd, "link", 0);
	unlinkat(dfd, "zoe", AT_REMOVEDIR);
	unlinkat(dfd, "bob smith", AT_REMOVEDIR);
	unlinkat(dfd, ".hidden", AT_REMOVEDIR);
	unlinkat(dfd, "lost+found", AT_REMOVEDIR);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
}

static void test_homes_scan_not_dir(void **state)
{
	struct report_home *homes;
	size_t n;
	int fd = open("/dev/null", O_PATH | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(report_homes_scan(fd, "/dev/null", &homes, &n),
			 -ENOTDIR);
	assert_int_equal(n, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_plain),
		cmocka_unit_test(test_json_control),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_over_90),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_sort_ties),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_table_names),
		cmocka_unit_test(test_table_columns),
		cmocka_unit_test(test_json_document),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_homes_scan),
		cmocka_unit_test(test_homes_scan_not_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
