#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "quota.h"
#include "../../src/homequota/check.h"

#define KIB UINT64_C(1024)
#define MIB (KIB << 10)
#define GIB (MIB << 10)

static const char cfg_yaml[] =
	"paths: [/export]\n"
	"hard_quota: 10\n"
	"soft_quota: 9\n"
	"hard_inodes: 10000\n"
	"min_projid: 1000\n"
	"exclude: [admin]\n"
	"quota_overrides:\n"
	"  bob: 0.5\n"
	"  tiny: 0.0000001\n";

static int setup(void **state)
{
	struct config *c = calloc(1, sizeof(*c));
	char err[256];

	assert_non_null(c);
	if (config_load_buffer(c, "t.yaml", cfg_yaml, strlen(cfg_yaml), err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	config_free(*state);
	free(*state);
	return 0;
}

static void test_wanted(void **state)
{
	const struct config *cfg = *state;
	struct quota_limits w;

	check_wanted(cfg, "alice", &w);
	assert_true(w.bytes_hard == 10 * GIB);
	assert_true(w.bytes_soft == 9 * GIB);
	assert_true(w.inodes_hard == 10000);
	assert_true(w.inodes_soft == 0);

	/* An override below soft_quota caps the soft limit. */
	check_wanted(cfg, "bob", &w);
	assert_true(w.bytes_hard == GIB / 2);
	assert_true(w.bytes_soft == GIB / 2);

	check_wanted(cfg, "admin", &w);
	assert_true(w.bytes_hard == 0 && w.bytes_soft == 0);
	assert_true(w.inodes_hard == 0 && w.inodes_soft == 0);
}

/* 1e-7 GiB is 107.37 bytes: the kernel keeps whole KiB, so 1 KiB. */
static void test_wanted_rounding(void **state)
{
	const struct config *cfg = *state;
	struct quota_limits w;

	check_wanted(cfg, "tiny", &w);
	assert_true(w.bytes_hard == KIB);
	assert_true(w.bytes_soft == KIB);
}

static struct report_home homes[] = {
	{ .name = "alice", .id = 1000, .inherit = true },
	{ .name = "bob", .id = 1001, .inherit = true },
	{ .name = "carol", .id = 1000, .inherit = true },
	{ .name = "dave", .id = 0, .inherit = false },
	{ .name = "erin", .id = 0, .inherit = false },
	{ .name = "frank", .id = 1000, .inherit = true },
};

static void test_mark_dups(void **state)
{
	struct check_home v[6];

	memset(v, 0, sizeof(v));
	for (size_t i = 0; i < 6; i++) {
		v[i].base = "/export";
		v[i].dev = 1;
		v[i].home = &homes[i];
	}
	/* carol is on another filesystem: her 1000 is her own. */
	v[2].dev = 2;
	assert_int_equal(check_mark_dups(v, 6), 0);
	assert_null(v[0].dup);
	assert_null(v[1].dup);
	assert_null(v[2].dup);
	/* Homes without an ID share nothing. */
	assert_null(v[3].dup);
	assert_null(v[4].dup);
	assert_ptr_equal(v[5].dup, &v[0]);

	v[2].dev = 1;
	assert_int_equal(check_mark_dups(v, 6), 0);
	assert_ptr_equal(v[2].dup, &v[0]);
	assert_ptr_equal(v[5].dup, &v[0]);
	assert_int_equal(check_mark_dups(v, 0), 0);
}

/* Runs check_home_print() for one home; returns its output. */
static char *print_home(const struct config *cfg, struct check_home *c,
			size_t *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*n = check_home_print(f, cfg, c);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void matching(struct check_home *c, struct report_home *h,
		     const char *name, uint32_t id)
{
	memset(c, 0, sizeof(*c));
	memset(h, 0, sizeof(*h));
	h->name = (char *)name;
	h->id = id;
	h->inherit = true;
	c->base = "/export";
	c->home = h;
	c->have.id = id;
	c->have.bytes_hard = 10 * GIB;
	c->have.bytes_soft = 9 * GIB;
	c->have.inodes_hard = 10000;
}

static void test_print_match(void **state)
{
	struct check_home c;
	struct report_home h;
	size_t n;
	char *out;

	matching(&c, &h, "alice", 1000);
	out = print_home(*state, &c, &n);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	free(out);

	memset(&c.have, 0, sizeof(c.have));
	matching(&c, &h, "admin", 1001);
	memset(&c.have, 0, sizeof(c.have));
	out = print_home(*state, &c, &n);
	assert_int_equal(n, 0);
	free(out);
}

static void test_print_limits(void **state)
{
	struct check_home c;
	struct report_home h;
	size_t n;
	char *out;

	matching(&c, &h, "alice", 1000);
	c.have.bytes_hard = GIB;
	c.have.bytes_soft = 0;
	c.have.inodes_hard = 0;
	c.have.inodes_soft = 7;
	out = print_home(*state, &c, &n);
	assert_int_equal(n, 4);
	assert_string_equal(out,
		"'alice' in '/export': hard limit is 1G, config says 10G\n"
		"'alice' in '/export': soft limit is none, config says 9G\n"
		"'alice' in '/export': inode hard limit is none, config says 10000\n"
		"'alice' in '/export': inode soft limit is 7, config says none\n");
	free(out);
}

/* Sizes that read the same when rounded are shown in bytes. */
static void test_print_close_sizes(void **state)
{
	struct check_home c;
	struct report_home h;
	size_t n;
	char *out;

	matching(&c, &h, "alice", 1000);
	c.have.bytes_hard = 10 * GIB + KIB;
	out = print_home(*state, &c, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out,
		"'alice' in '/export': hard limit is 10737419264 bytes, config says 10737418240 bytes\n");
	free(out);
}

static void test_print_excluded(void **state)
{
	struct check_home c;
	struct report_home h;
	size_t n;
	char *out;

	matching(&c, &h, "admin", 1005);
	out = print_home(*state, &c, &n);
	assert_int_equal(n, 3);
	assert_string_equal(out,
		"'admin' in '/export': hard limit is 10G, config says none (excluded)\n"
		"'admin' in '/export': soft limit is 9G, config says none (excluded)\n"
		"'admin' in '/export': inode hard limit is 10000, config says none (excluded)\n");
	free(out);
}

/* Without a valid ID the limits are not judged: the ID gets replaced. */
static void test_print_ids(void **state)
{
	struct check_home c, first;
	struct report_home h, fh;
	size_t n;
	char *out;

	matching(&c, &h, "new:home", 0);
	h.inherit = false;
	out = print_home(*state, &c, &n);
	assert_int_equal(n, 2);
	assert_string_equal(out,
		"'new\\x3ahome' in '/export': no project id\n"
		"'new\\x3ahome' in '/export': PROJINHERIT is not set\n");
	free(out);

	matching(&c, &h, "old", 42);
	c.have.bytes_hard = 0;
	out = print_home(*state, &c, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out,
		"'old' in '/export': project id 42 is below min_projid 1000\n");
	free(out);

	matching(&first, &fh, "alice", 1000);
	matching(&c, &h, "carol", 1000);
	c.base = "/export2";
	c.dup = &first;
	out = print_home(*state, &c, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out,
		"'carol' in '/export2': project id 1000 is also held by 'alice' in '/export'\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_wanted_rounding),
		cmocka_unit_test(test_mark_dups),
		cmocka_unit_test(test_print_match),
		cmocka_unit_test(test_print_limits),
		cmocka_unit_test(test_print_close_sizes),
		cmocka_unit_test(test_print_excluded),
		cmocka_unit_test(test_print_ids),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
