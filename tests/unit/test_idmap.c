#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/homequotad/idmap.h"

static void test_counts(void **state)
{
	struct idmap m = { 0 };

	assert_int_equal(idmap_count(&m, 1, 1000), 0);
	assert_int_equal(idmap_add(&m, 1, 1000), 0);
	assert_int_equal(idmap_add(&m, 1, 1000), 0);
	assert_int_equal(idmap_add(&m, 2, 1000), 0);
	assert_int_equal(idmap_count(&m, 1, 1000), 2);
	assert_int_equal(idmap_count(&m, 2, 1000), 1);
	assert_int_equal(idmap_count(&m, 1, 1001), 0);
	idmap_remove(&m, 1, 1000);
	assert_int_equal(idmap_count(&m, 1, 1000), 1);
	idmap_remove(&m, 1, 1000);
	idmap_remove(&m, 1, 1000);	/* one too many: stays at 0 */
	assert_int_equal(idmap_count(&m, 1, 1000), 0);
	assert_int_equal(idmap_count(&m, 2, 1000), 1);
	idmap_free(&m);
}

/* Many IDs, churned: every count stays exact through the rehashes. */
static void test_many(void **state)
{
	struct idmap m = { 0 };
	const uint32_t n = 100000;

	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(idmap_add(&m, 7, 1000 + i), 0);
	for (uint32_t i = 0; i < n; i += 2)
		idmap_remove(&m, 7, 1000 + i);
	for (uint32_t i = 0; i < n; i += 4)
		assert_int_equal(idmap_add(&m, 7, 1000 + i), 0);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t want = (i % 2) || (i % 4 == 0);

		assert_int_equal(idmap_count(&m, 7, 1000 + i), want);
	}
	assert_int_equal(idmap_count(&m, 8, 1001), 0);
	/* The table stays at most half full. */
	assert_true(m.used * 2 <= m.cap);
	idmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
