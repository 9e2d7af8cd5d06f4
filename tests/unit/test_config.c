/*
 * Unit tests for the config parser: values, defaults and the exact text
 * (file, line, key) of each kind of error.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define GIB (1ULL << 30)

static char err[512];

static int load(struct config *c, const char *yaml)
{
	err[0] = 'x';
	return config_load_buffer(c, "t.yaml", yaml, strlen(yaml), err,
				  sizeof(err));
}

/* Loading must fail with exactly this message and leave c reset. */
static void check_error(const char *yaml, const char *want)
{
	struct config c;

	assert_int_equal(load(&c, yaml), -EINVAL);
	assert_string_equal(err, want);
	assert_null(c.paths);
	assert_int_equal(c.npaths, 0);
	assert_null(c.exclude);
	assert_null(c.overrides);
	assert_null(c.labels);
	assert_int_equal(c.hard_bytes, 10 * GIB);
}

/* Loading must fail with a message that starts with this text. */
static void check_error_prefix(const char *yaml, const char *want)
{
	struct config c;

	assert_int_equal(load(&c, yaml), -EINVAL);
	if (strncmp(err, want, strlen(want)))
		fail_msg("got \"%s\", want prefix \"%s\"", err, want);
}

static void test_defaults(void **state)
{
	struct config c;

	config_init_defaults(&c);
	assert_int_equal(c.npaths, 0);
	assert_int_equal(c.hard_bytes, 10 * GIB);
	assert_int_equal(c.soft_bytes, 0);
	assert_int_equal(c.hard_inodes, 0);
	assert_int_equal(c.soft_inodes, 0);
	assert_true(c.wait_time == 30);
	assert_int_equal(c.min_projid, 1000);
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.gid, 1000);
	assert_string_equal(c.projects_file, "/etc/projects");
	assert_string_equal(c.projid_file, "/etc/projid");
	assert_string_equal(c.metrics_address, "0.0.0.0");
	assert_int_equal(c.metrics_port, 7500);
	assert_int_equal(c.log_level, LOG_LEVEL_INFO);
	assert_int_equal(c.nlabels, 0);
	assert_false(c.auto_resize);
	assert_true(c.resize_interval == 60);
	config_free(&c);
	config_free(&c);
}

static void test_minimal(void **state)
{
	struct config c;

	assert_int_equal(load(&c, "paths: [/export]\n"), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.npaths, 1);
	assert_string_equal(c.paths[0], "/export");
	assert_int_equal(c.hard_bytes, 10 * GIB);
	assert_int_equal(c.metrics_port, 7500);
	config_free(&c);
	assert_null(c.paths);
}

static const char full_yaml[] =
	"# every key\n"
	"paths:\n"
	"  - /export/homes\n"
	"  - /srv//data/\n"
	"hard_quota: 2.5\n"
	"soft_quota: 2\n"
	"hard_inodes: 100000\n"
	"soft_inodes: 90000\n"
	"wait_time: 0.5\n"
	"min_projid: 5000\n"
	"exclude: [admin, shared]\n"
	"quota_overrides:\n"
	"  alice: 100\n"
	"  bob: '0.5'\n"
	"uid: 0\n"
	"gid: 4294967294\n"
	"projects_file: /var/lib/homequotad/projects\n"
	"projid_file: /var/lib/homequotad/projid\n"
	"metrics_address: '::'\n"
	"metrics_port: 0\n"
	"metrics_labels:\n"
	"  cluster: prod-eu\n"
	"  hub: '2'\n"
	"log_level: debug\n"
	"auto_resize: true\n"
	"resize_interval: 120\n";

static void test_full(void **state)
{
	struct config c;
	uint64_t hard;

	assert_int_equal(load(&c, full_yaml), 0);
	assert_int_equal(c.npaths, 2);
	assert_string_equal(c.paths[0], "/export/homes");
	assert_string_equal(c.paths[1], "/srv/data");
	assert_int_equal(c.hard_bytes, 5 * GIB / 2);
	assert_int_equal(c.soft_bytes, 2 * GIB);
	assert_int_equal(c.hard_inodes, 100000);
	assert_int_equal(c.soft_inodes, 90000);
	assert_true(c.wait_time == 0.5);
	assert_int_equal(c.min_projid, 5000);
	assert_int_equal(c.nexclude, 2);
	assert_int_equal(c.noverrides, 2);
	assert_int_equal(c.uid, 0);
	assert_int_equal(c.gid, 4294967294u);
	assert_string_equal(c.projects_file, "/var/lib/homequotad/projects");
	assert_string_equal(c.projid_file, "/var/lib/homequotad/projid");
	assert_string_equal(c.metrics_address, "::");
	assert_int_equal(c.metrics_port, 0);
	assert_int_equal(c.nlabels, 2);
	assert_string_equal(c.labels[0].name, "cluster");
	assert_string_equal(c.labels[0].value, "prod-eu");
	assert_string_equal(c.labels[1].name, "hub");
	assert_string_equal(c.labels[1].value, "2");
	assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
	assert_true(c.auto_resize);
	assert_true(c.resize_interval == 120);

	assert_true(config_is_excluded(&c, "admin"));
	assert_true(config_is_excluded(&c, "shared"));
	assert_false(config_is_excluded(&c, "alice"));
	assert_false(config_home_limits(&c, "admin", &hard));
	assert_true(config_home_limits(&c, "alice", &hard));
	assert_int_equal(hard, 100 * GIB);
	assert_true(config_home_limits(&c, "bob", &hard));
	assert_int_equal(hard, GIB / 2);
	assert_true(config_home_limits(&c, "carol", &hard));
	assert_int_equal(hard, 5 * GIB / 2);
	/* Soft is capped by a lower override, kept below a higher one. */
	assert_int_equal(config_soft_bytes(&c, GIB / 2), GIB / 2);
	assert_int_equal(config_soft_bytes(&c, 100 * GIB), 2 * GIB);
	config_free(&c);
}

static void test_nested(void **state)
{
	struct config c;
	uint64_t hard;

	assert_int_equal(load(&c, "QuotaManager:\n"
				  "  paths: [/export]\n"
				  "  hard_quota: 1\n"
				  "  quota_overrides: {x: 3}\n"), 0);
	assert_int_equal(c.npaths, 1);
	assert_int_equal(c.hard_bytes, GIB);
	assert_true(config_home_limits(&c, "x", &hard));
	assert_int_equal(hard, 3 * GIB);
	config_free(&c);

	check_error("QuotaManager:\n  paths: [/a]\nwait_time: 3\n",
		    "t.yaml:3: 'wait_time': not allowed beside 'QuotaManager': move it under 'QuotaManager'");
	check_error("QuotaManager:\n",
		    "t.yaml:1: 'paths': required key is missing: list at least one base directory");
	check_error("QuotaManager: [a]\n",
		    "t.yaml:1: 'QuotaManager': expected a mapping of settings, got a list");
	check_error("QuotaManager: {paths: [/a]}\nQuotaManager: {}\n",
		    "t.yaml:2: 'QuotaManager': duplicate key");
}

static void test_quoted_numbers(void **state)
{
	struct config c;

	assert_int_equal(load(&c, "paths: ['/export']\n"
				  "hard_quota: \"10\"\n"
				  "wait_time: '15'\n"
				  "min_projid: \"2000\"\n"
				  "uid: '+7'\n"
				  "metrics_port: \"9100\"\n"
				  "auto_resize: \"false\"\n"), 0);
	assert_int_equal(c.hard_bytes, 10 * GIB);
	assert_true(c.wait_time == 15);
	assert_int_equal(c.min_projid, 2000);
	assert_int_equal(c.uid, 7);
	assert_int_equal(c.metrics_port, 9100);
	assert_false(c.auto_resize);
	config_free(&c);

	check_error("paths: [/a]\nhard_quota: \"ten\"\n",
		    "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got 'ten'");
	check_error("paths: [/a]\nmin_projid: '1000.0'\n",
		    "t.yaml:2: 'min_projid': expected an integer from 1 to 4294967294, got '1000.0'");
	check_error("paths: [/a]\nhard_quota: '10G'\n",
		    "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got '10G'");
}

static void test_decimals(void **state)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} cases[] = {
		{ "0.5", GIB / 2 },
		{ ".25", GIB / 4 },
		{ "1.", GIB },
		{ "1e3", 1000 * GIB },
		{ "+2", 2 * GIB },
		/* 0.1 GiB is 104857.6 KiB: rounded up to a whole KiB. */
		{ "0.1", 104858ULL * 1024 },
		/* About one byte still gives the smallest limit, 1 KiB. */
		{ "1e-9", 1024 },
		{ "8589934591", 8589934591ULL * GIB },
	};
	char yaml[128];
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml), "paths: [/a]\nhard_quota: %s\n",
			 cases[i].text);
		if (load(&c, yaml) != 0)
			fail_msg("'%s': %s", cases[i].text, err);
		assert_int_equal(c.hard_bytes, cases[i].bytes);
		assert_int_equal(c.hard_bytes % 1024, 0);
		config_free(&c);
	}
}

static void test_huge_numbers(void **state)
{
	struct config c;

	assert_int_equal(load(&c, "paths: [/a]\n"
				  "hard_inodes: 18446744073709551615\n"
				  "min_projid: 4294967294\n"), 0);
	assert_int_equal(c.hard_inodes, UINT64_MAX);
	assert_int_equal(c.min_projid, 4294967294u);
	config_free(&c);

	check_error("paths: [/a]\nhard_inodes: 18446744073709551616\n",
		    "t.yaml:2: 'hard_inodes': expected an integer, 0 for no limit, got '18446744073709551616'");
	check_error("paths: [/a]\nmin_projid: 4294967295\n",
		    "t.yaml:2: 'min_projid': expected an integer from 1 to 4294967294, got '4294967295'");
	check_error("paths: [/a]\nmin_projid: 99999999999999999999999999\n",
		    "t.yaml:2: 'min_projid': expected an integer from 1 to 4294967294, got '99999999999999999999999999'");
	check_error("paths: [/a]\nhard_quota: 8589934592\n",
		    "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got '8589934592'");
	check_error("paths: [/a]\nhard_quota: 1e400\n",
		    "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got '1e400'");
	check_error("paths: [/a]\nwait_time: 86400.5\n",
		    "t.yaml:2: 'wait_time': expected a number of seconds greater than 0, at most 86400, got '86400.5'");
	check_error("paths: [/a]\nmetrics_port: 65536\n",
		    "t.yaml:2: 'metrics_port': expected a port from 0 to 65535, 0 to disable, got '65536'");
	check_error("paths: [/a]\nuid: 4294967295\n",
		    "t.yaml:2: 'uid': expected an integer from 0 to 4294967294, got '4294967295'");
	/* A long value is cut in the message, not the message dropped. */
	check_error_prefix("paths: [/a]\nhard_quota: 1111111111111111111111111111111111111111111111111111111111111111111111111111\n",
			   "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got '111111111111");
	assert_non_null(strstr(err, "...'"));
}

static void test_values_rejected(void **state)
{
	check_error("paths: [/a]\nhard_quota: -1\n",
		    "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got '-1'");
	check_error("paths: [/a]\nhard_quota: 0\n",
		    "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got '0'");
	check_error("paths: [/a]\nhard_quota: .inf\n",
		    "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got '.inf'");
	check_error("paths: [/a]\nhard_quota:\n",
		    "t.yaml:2: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got ''");
	check_error("paths: [/a]\nwait_time: 0\n",
		    "t.yaml:2: 'wait_time': expected a number of seconds greater than 0, at most 86400, got '0'");
	check_error("paths: [/a]\nmin_projid: 0\n",
		    "t.yaml:2: 'min_projid': expected an integer from 1 to 4294967294, got '0'");
	check_error("paths: [/a]\ngid: -1\n",
		    "t.yaml:2: 'gid': expected an integer from 0 to 4294967294, got '-1'");
	check_error("paths: [/a]\nsoft_quota: -0.5\n",
		    "t.yaml:2: 'soft_quota': expected a number of GiB, 0 for none, below 8589934592, got '-0.5'");
	check_error("paths: [/a]\nhard_quota: 1\nsoft_quota: 2\n",
		    "t.yaml:3: 'soft_quota': must not be larger than hard_quota");
	check_error("paths: [/a]\nsoft_inodes: 5\nhard_inodes: 4\n",
		    "t.yaml:2: 'soft_inodes': must not be larger than hard_inodes");
	check_error("paths: [/a]\nlog_level: verbose\n",
		    "t.yaml:2: 'log_level': expected error, warn, info or debug, got 'verbose'");
	check_error("paths: [/a]\nauto_resize: yes\n",
		    "t.yaml:2: 'auto_resize': expected true or false, got 'yes'");
	check_error("paths: [/a]\nmetrics_address: localhost\n",
		    "t.yaml:2: 'metrics_address': expected a numeric IPv4 or IPv6 address, got 'localhost'");
	check_error("paths: [/a]\nprojid_file: etc/projid\n",
		    "t.yaml:2: 'projid_file': expected an absolute file path, got 'etc/projid'");
	check_error("paths: [/a]\nresize_interval: -3\n",
		    "t.yaml:2: 'resize_interval': expected a number of seconds greater than 0, at most 86400, got '-3'");
}

static void test_wrong_types(void **state)
{
	check_error("paths: [/a]\nhard_quota:\n  - 1\n",
		    "t.yaml:3: 'hard_quota': expected a number of GiB greater than 0, below 8589934592, got a list");
	check_error("paths: /export\n",
		    "t.yaml:1: 'paths': expected a list of at least one absolute path, got '/export'");
	check_error("paths: []\n",
		    "t.yaml:1: 'paths': expected a list of at least one absolute path, got a list");
	check_error("paths:\n  - /a\n  - {x: 1}\n",
		    "t.yaml:3: 'paths': expected an absolute path, got a mapping");
	check_error("paths: [/a]\nexclude: bob\n",
		    "t.yaml:2: 'exclude': expected a list of home names, got 'bob'");
	check_error("paths: [/a]\nquota_overrides: [bob]\n",
		    "t.yaml:2: 'quota_overrides': expected a mapping of home name to GiB, got a list");
	check_error("paths: [/a]\nmetrics_labels: [x]\n",
		    "t.yaml:2: 'metrics_labels': expected a mapping of label name to value, got a list");
	check_error("paths: [/a]\nmetrics_labels:\n  x: [1]\n",
		    "t.yaml:3: 'metrics_labels': expected a non-empty label value, got a list");
	check_error("- paths\n",
		    "t.yaml:1: expected a mapping of settings, got a list");
	check_error("hello\n",
		    "t.yaml:1: expected a mapping of settings, got 'hello'");
	check_error("paths: [/a]\n[x]: 1\n",
		    "t.yaml:2: expected a key name, got a list");
}

static void test_keys(void **state)
{
	check_error("paths: [/a]\n\nhard_qouta: 1\n",
		    "t.yaml:3: 'hard_qouta': unknown key: see homequotad.conf(5)");
	check_error("paths: [/a]\nhardQuota: 1\n",
		    "t.yaml:2: 'hardQuota': unknown key, did you mean 'hard_quota'?");
	check_error("paths: [/a]\nwait_time: 1\n# x\nwait_time: 2\n",
		    "t.yaml:4: 'wait_time': duplicate key, first given on line 2");
	check_error("paths: [/a]\nhard_quota: 1\nwait_time: 1\nhard_quota: 2\n",
		    "t.yaml:4: 'hard_quota': duplicate key, first given on line 2");
	check_error("paths: [/a]\nquota_overrides:\n  bob: 1\n  bob: 2\n",
		    "t.yaml:4: 'quota_overrides': duplicate home 'bob'");
	check_error("paths: [/a]\nmetrics_labels:\n  a: x\n  a: y\n",
		    "t.yaml:4: 'metrics_labels': duplicate label 'a'");
	check_error("paths: [/a]\nmetrics_labels:\n  __name: x\n",
		    "t.yaml:3: 'metrics_labels': expected a label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with '__', and none of directory, path, kind, code, version, got '__name'");
	check_error("paths: [/a]\nmetrics_labels:\n  1abc: x\n",
		    "t.yaml:3: 'metrics_labels': expected a label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with '__', and none of directory, path, kind, code, version, got '1abc'");
	check_error("paths: [/a]\nmetrics_labels:\n  directory: x\n",
		    "t.yaml:3: 'metrics_labels': expected a label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with '__', and none of directory, path, kind, code, version, got 'directory'");
	check_error("paths: [/a]\nmetrics_labels:\n  path: x\n",
		    "t.yaml:3: 'metrics_labels': expected a label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with '__', and none of directory, path, kind, code, version, got 'path'");
	/* Control bytes in a key stay out of the one-line message. */
	check_error("paths: [/a]\n\"bad\\nkey\": 1\n",
		    "t.yaml:2: 'bad?key': unknown key: see homequotad.conf(5)");
}

static void test_paths(void **state)
{
	struct config c;

	check_error("paths:\n  - /export\n  - relative\n",
		    "t.yaml:3: 'paths': expected an absolute path without '.' or '..', got 'relative'");
	check_error("paths:\n  - /export/../etc\n",
		    "t.yaml:2: 'paths': expected an absolute path without '.' or '..', got '/export/../etc'");
	check_error("paths:\n  - /export\n  - /data\n  - /export/\n",
		    "t.yaml:4: 'paths': duplicate path '/export'");
	check_error("paths:\n  - /export/a\n  - /export\n",
		    "t.yaml:3: 'paths': '/export/a' is inside '/export'");
	check_error("paths: [/export, /export/a/b]\n",
		    "t.yaml:1: 'paths': '/export/a/b' is inside '/export'");
	check_error("paths: [//]\n",
		    "t.yaml:1: 'paths': '/' cannot be a base directory");
	check_error("paths:\n  -\n",
		    "t.yaml:2: 'paths': expected an absolute path, got ''");
	check_error("paths: [/a]\nexclude: [x, y, x]\n",
		    "t.yaml:2: 'exclude': duplicate name 'x'");
	check_error("paths: [/a]\nexclude:\n  - ok\n  - a/b\n",
		    "t.yaml:4: 'exclude': expected a home directory name (no '/', not '.' or '..'), got 'a/b'");
	check_error("paths: [/a]\nexclude: ['..']\n",
		    "t.yaml:2: 'exclude': expected a home directory name (no '/', not '.' or '..'), got '..'");
	check_error("paths: [/a]\nexclude: [\"a\\0b\"]\n",
		    "t.yaml:2: 'exclude': expected a home directory name (no '/', not '.' or '..'), got 'a'");

	/* "/export" and "/exports" are siblings, not nested. */
	assert_int_equal(load(&c, "paths: [/export, /exports]\n"), 0);
	assert_int_equal(c.npaths, 2);
	config_free(&c);
}

static void test_override_excluded(void **state)
{
	check_error("paths: [/a]\n"
		    "exclude: [admin]\n"
		    "quota_overrides:\n"
		    "  bob: 1\n"
		    "  admin: 5\n",
		    "t.yaml:5: 'quota_overrides': 'admin' is also in exclude: remove it from one of them");
	/* The same when the overrides come first. */
	check_error("paths: [/a]\n"
		    "quota_overrides: {admin: 5}\n"
		    "exclude: [admin]\n",
		    "t.yaml:2: 'quota_overrides': 'admin' is also in exclude: remove it from one of them");
	check_error("paths: [/a]\nquota_overrides:\n  bob: 0\n",
		    "t.yaml:3: 'quota_overrides': expected a number of GiB greater than 0, below 8589934592, got '0'");
}

static void test_syntax_error(void **state)
{
	check_error_prefix("paths: [/a]\nhard_quota: 1\nwait_time: [1\n",
			   "t.yaml:4: invalid YAML: ");
	check_error_prefix("paths: [/a]\n  bad: indent\n",
			   "t.yaml:2: invalid YAML: ");
	check_error_prefix("paths: [/a]\nhard_quota: *nope\n",
			   "t.yaml:2: invalid YAML: ");
	/* Invalid UTF-8: libyaml's reader reports a byte offset. */
	check_error_prefix("paths: [/a]\nexclude: [\xff]\n",
			   "t.yaml:2: invalid YAML: ");
	check_error("paths: [/a]\n---\npaths: [/b]\n",
		    "t.yaml:3: a second YAML document: a config is one document");
	/* Only the first line is written. */
	assert_null(strchr(err, '\n'));
}

static void test_depth(void **state)
{
	char yaml[4096];
	size_t n = 0;
	int i;

	/* Eight levels is still a type error, nine is refused early. */
	check_error("paths: [/a]\nexclude: [[[[[[[1]]]]]]]\n",
		    "t.yaml:2: 'exclude': expected a home directory name (no '/', not '.' or '..'), got a list");
	check_error("paths: [/a]\nexclude:\n  - [[[[[[[1]]]]]]]\n",
		    "t.yaml:3: nested deeper than 8 levels: no setting needs that");
	/* Deep nesting must fail fast, not after libyaml's slow scan. */
	n += (size_t)snprintf(yaml, sizeof(yaml), "x: ");
	for (i = 0; i < 2000; i++)
		yaml[n++] = '[';
	yaml[n] = '\0';
	check_error(yaml, "t.yaml:1: nested deeper than 8 levels: no setting needs that");
}

static void test_long_lists(void **state)
{
	size_t len = 0, cap = 40000 * 12 + 64, i;
	char *yaml = malloc(cap);
	struct config c;

	assert_non_null(yaml);
	len += (size_t)snprintf(yaml, cap, "paths: [/a]\nexclude:\n");
	for (i = 0; i < 40000; i++)
		len += (size_t)snprintf(yaml + len, cap - len, "- u%zu\n",
					i);
	assert_int_equal(load(&c, yaml), 0);
	assert_int_equal(c.nexclude, 40000);
	assert_true(config_is_excluded(&c, "u39999"));
	config_free(&c);
	/* Two repeats: the one nearer the top is named. */
	len += (size_t)snprintf(yaml + len, cap - len, "- u7\n- u3\n");
	check_error(yaml, "t.yaml:40003: 'exclude': duplicate name 'u7'");
	free(yaml);
}

static void test_empty(void **state)
{
	static const char *const empty[] = { "", "\n\n", "# nothing\n",
					     "---\n", "~\n" };
	size_t i;

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
		check_error_prefix(empty[i], "t.yaml:");
	check_error("", "t.yaml:1: 'paths': required key is missing: list at least one base directory");
	check_error("{}\n", "t.yaml:1: 'paths': required key is missing: list at least one base directory");
	check_error("# settings\nhard_quota: 1\n",
		    "t.yaml:2: 'paths': required key is missing: list at least one base directory");
}

static void test_unicode(void **state)
{
	struct config c;
	uint64_t hard;

	assert_int_equal(load(&c, "paths: [/home/ümlaut]\n"
				  "exclude: [\"jos\xc3\xa9\", 管理者]\n"
				  "quota_overrides:\n"
				  "  \"\xf0\x9f\x98\x80\": 2\n"
				  "metrics_labels: {region: 'zürich'}\n"), 0);
	assert_string_equal(c.paths[0], "/home/\xc3\xbcmlaut");
	/* Byte-exact: the precomposed é is not e + combining accent. */
	assert_true(config_is_excluded(&c, "jos\xc3\xa9"));
	assert_false(config_is_excluded(&c, "jose\xcc\x81"));
	assert_true(config_is_excluded(&c, "管理者"));
	assert_false(config_home_limits(&c, "管理者", &hard));
	assert_true(config_home_limits(&c, "\xf0\x9f\x98\x80", &hard));
	assert_int_equal(hard, 2 * GIB);
	assert_string_equal(c.labels[0].value, "z\xc3\xbcrich");
	config_free(&c);
}

static void test_lookup_sorted(void **state)
{
	struct config c;
	uint64_t hard = 0;

	assert_int_equal(load(&c, "paths: [/a]\n"
				  "exclude: [zed, amy, mia, bea]\n"
				  "quota_overrides: {u9: 9, u1: 1, u5: 5}\n"
				  "hard_quota: 3\n"), 0);
	assert_true(config_is_excluded(&c, "zed"));
	assert_true(config_is_excluded(&c, "amy"));
	assert_true(config_is_excluded(&c, "mia"));
	assert_true(config_is_excluded(&c, "bea"));
	assert_false(config_is_excluded(&c, "be"));
	assert_true(config_home_limits(&c, "u1", &hard));
	assert_int_equal(hard, GIB);
	assert_true(config_home_limits(&c, "u9", &hard));
	assert_int_equal(hard, 9 * GIB);
	assert_true(config_home_limits(&c, "u5", &hard));
	assert_int_equal(hard, 5 * GIB);
	assert_true(config_home_limits(&c, "u7", &hard));
	assert_int_equal(hard, 3 * GIB);
	assert_int_equal(config_soft_bytes(&c, hard), 0);
	config_free(&c);
}

static void test_null_lists(void **state)
{
	struct config c;

	assert_int_equal(load(&c, "paths: [/a]\nexclude:\nquota_overrides: ~\n"
				  "metrics_labels: {}\n"), 0);
	assert_int_equal(c.nexclude, 0);
	assert_int_equal(c.noverrides, 0);
	assert_int_equal(c.nlabels, 0);
	assert_false(config_is_excluded(&c, "a"));
	config_free(&c);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_config.XXXXXX";
	char want[600];
	struct config c;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "paths: [/a]\nwait_time: x\n", 25), 25);
	close(fd);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:2: 'wait_time': expected a number of seconds greater than 0, at most 86400, got 'x'",
		 path);
	assert_string_equal(err, want);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "paths: [/a]\n", 12), 12);
	close(fd);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.paths[0], "/a");
	config_free(&c);
	unlink(path);

	assert_int_equal(config_load_file(&c, path, err, sizeof(err)),
			 -ENOENT);
	snprintf(want, sizeof(want), "cannot read '%s': %s", path,
		 strerror(ENOENT));
	assert_string_equal(err, want);
	assert_int_equal(config_load_file(&c, "/", err, sizeof(err)),
			 -EISDIR);
}

static void test_small_err_buffer(void **state)
{
	struct config c;
	char small[8];

	assert_int_equal(config_load_buffer(&c, "t.yaml", "x: 1", 4, NULL, 0),
			 -EINVAL);
	assert_int_equal(config_load_buffer(&c, "t.yaml", "x: 1", 4, small,
					    sizeof(small)), -EINVAL);
	assert_string_equal(small, "t.yaml:");
	assert_int_equal(config_load_buffer(&c, "t.yaml", NULL, 0, small, 0),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_quoted_numbers),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_values_rejected),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_override_excluded),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_long_lists),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_lookup_sorted),
		cmocka_unit_test(test_null_lists),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_small_err_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
