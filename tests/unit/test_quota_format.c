#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quota.h"
#include "../../src/homequota/report.h"

#define GIB (UINT64_C(1) << 30)

static void test_bytes_to_blocks(void **state)
{
	assert_true(quota_bytes_to_blocks(0) == 0);
	assert_true(quota_bytes_to_blocks(1) == 1);
	assert_true(quota_bytes_to_blocks(1023) == 1);
	assert_true(quota_bytes_to_blocks(1024) == 1);
	assert_true(quota_bytes_to_blocks(1025) == 2);
	assert_true(quota_bytes_to_blocks(GIB) == 1024 * 1024);
	assert_true(quota_bytes_to_blocks(UINT64_MAX) == UINT64_C(1) << 54);
}

static void test_blocks_to_bytes(void **state)
{
	assert_true(quota_blocks_to_bytes(0) == 0);
	assert_true(quota_blocks_to_bytes(1) == 1024);
	assert_true(quota_blocks_to_bytes(1024 * 1024) == GIB);
	assert_true(quota_blocks_to_bytes(UINT64_MAX >> 10) ==
		    (UINT64_MAX >> 10) << 10);
	assert_true(quota_blocks_to_bytes((UINT64_MAX >> 10) + 1) ==
		    UINT64_MAX);
	assert_true(quota_blocks_to_bytes(UINT64_MAX) == UINT64_MAX);
}

/* Runs report_print() into a string the caller frees. */
static char *print_to_string(const struct report *r, bool bytes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_print(r, f, bytes), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void add(struct report *r, uint32_t id, uint64_t used,
		uint64_t soft, uint64_t hard, uint64_t inodes)
{
	struct quota_usage q = {
		.id = id,
		.bytes_used = used,
		.bytes_soft = soft,
		.bytes_hard = hard,
		.inodes_used = inodes,
	};

	assert_int_equal(report_add(r, &q), 0);
}

static void test_empty_report(void **state)
{
	struct report r = { 0 };
	char *out = print_to_string(&r, false);

	assert_string_equal(out,
		"ID  USED  SOFT  HARD  INODES  ISOFT  IHARD  USE%  FLAG  NAME\n"
		"total: 0 projects, used 0, hard limits 0, 0 at or above 90%\n");
	free(out);
	report_free(&r);
}

static void test_human_sizes(void **state)
{
	struct report r = { 0 };
	char *out;

	add(&r, 7, GIB + GIB / 2, 0, 10 * GIB, 3);
	add(&r, 1000, 512, 9 * GIB, 10 * GIB, 12345);
	out = print_to_string(&r, false);
	assert_string_equal(out,
		"  ID  USED  SOFT  HARD  INODES  ISOFT  IHARD  USE%  FLAG  NAME\n"
		"   7  1.5G     -   10G       3      -      -   15%     -  -\n"
		"1000   512    9G   10G   12345      -      -    0%     -  -\n"
		"total: 2 projects, used 1.5G, hard limits 20G, 0 at or above 90%\n");
	free(out);
	report_free(&r);
}

static void test_exact_bytes(void **state)
{
	struct report r = { 0 };
	char *out;

	add(&r, 7, GIB + GIB / 2, 0, 10 * GIB, 3);
	out = print_to_string(&r, true);
	assert_string_equal(out,
		"ID        USED  SOFT         HARD  INODES  ISOFT  IHARD  USE%  FLAG  NAME\n"
		" 7  1610612736     -  10737418240       3      -      -   15%     -  -\n"
		"total: 1 project, used 1610612736, hard limits 10737418240, 0 at or above 90%\n");
	free(out);
	report_free(&r);
}

/* Inode limits print as exact counts even in human mode. */
static void test_inode_limits(void **state)
{
	struct report r = { 0 };
	struct quota_usage q = {
		.id = 4294967294u,
		.bytes_used = UINT64_MAX,
		.inodes_used = 2048,
		.inodes_soft = 100000,
		.inodes_hard = 200000,
	};
	char *out;

	assert_int_equal(report_add(&r, &q), 0);
	out = print_to_string(&r, false);
	assert_string_equal(out,
		"        ID   USED  SOFT  HARD  INODES   ISOFT   IHARD  USE%  FLAG  NAME\n"
		"4294967294  15.9E     -     -    2048  100000  200000     -     -  -\n"
		"total: 1 project, used 15.9E, hard limits 0, 0 at or above 90%\n");
	free(out);
	report_free(&r);
}

/* Rows keep their order and contents across the table's growth. */
static void test_many_rows(void **state)
{
	struct report r = { 0 };

	for (uint32_t i = 1; i <= 1000; i++)
		add(&r, i, i * 1024, 0, 0, i);
	assert_int_equal(r.len, 1000);
	for (size_t i = 0; i < r.len; i++) {
		assert_int_equal(r.rows[i].q.id, i + 1);
		assert_true(r.rows[i].q.bytes_used == (i + 1) * 1024);
	}
	report_free(&r);
	assert_null(r.rows);
	assert_int_equal(r.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_to_blocks),
		cmocka_unit_test(test_blocks_to_bytes),
		cmocka_unit_test(test_empty_report),
		cmocka_unit_test(test_human_sizes),
		cmocka_unit_test(test_exact_bytes),
		cmocka_unit_test(test_inode_limits),
		cmocka_unit_test(test_many_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
