#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "projfile.h"
#include "size.h"

#define CHECK_VALUE_LEN 32

/* One base path's homes, kept until every base path has been read. */
struct check_base {
	const char *path;
	dev_t dev;
	struct report_home *homes;
	size_t nhomes;
};

struct check_run {
	const struct config *cfg;
	struct check_base *bases;
	size_t nbases;
	struct check_home *all;
	size_t nall;
	size_t diffs;
	size_t errors;
};

static uint64_t check_round_kib(uint64_t bytes)
{
	if (bytes > UINT64_MAX - 1023)
		return UINT64_MAX / 1024 * 1024;
	return (bytes + 1023) / 1024 * 1024;
}

void check_wanted(const struct config *cfg, const char *name,
		  struct quota_limits *want)
{
	uint64_t hard;

	memset(want, 0, sizeof(*want));
	if (!config_home_limits(cfg, name, &hard))
		return;
	want->bytes_hard = check_round_kib(hard);
	want->bytes_soft = check_round_kib(config_soft_bytes(cfg, hard));
	want->inodes_hard = cfg->hard_inodes;
	want->inodes_soft = cfg->soft_inodes;
}

/* Orders home indices by filesystem, ID, then position in print order. */
static int check_cmp_dup(const void *pa, const void *pb, void *arg)
{
	const struct check_home *v = arg;
	const struct check_home *a = &v[*(const size_t *)pa];
	const struct check_home *b = &v[*(const size_t *)pb];

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->home->id != b->home->id)
		return a->home->id < b->home->id ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Sorting indices keeps this O(n log n) for filesystems with many homes. */
int check_mark_dups(struct check_home *v, size_t n)
{
	size_t *idx;

	for (size_t i = 0; i < n; i++)
		v[i].dup = NULL;
	if (n < 2)
		return 0;
	idx = calloc(n, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), check_cmp_dup, v);

	for (size_t i = 1, first = 0; i < n; i++) {
		const struct check_home *f = &v[idx[first]];
		struct check_home *c = &v[idx[i]];

		if (c->dev != f->dev || c->home->id != f->home->id ||
		    !c->home->id || c->home->err || f->home->err) {
			first = i;
			continue;
		}
		c->dup = f;
	}
	free(idx);
	return 0;
}

/*
 * Both sides of a size difference.  Human sizes are rounded, so when they
 * would read the same, exact byte counts are shown instead.
 */
static void check_fmt_sizes(uint64_t have, uint64_t want, bool excluded,
			    char *h, char *w)
{
	if (have)
		size_format(have, h, CHECK_VALUE_LEN);
	else
		snprintf(h, CHECK_VALUE_LEN, "none");
	if (want)
		size_format(want, w, CHECK_VALUE_LEN);
	else
		snprintf(w, CHECK_VALUE_LEN, "none%s",
			 excluded ? " (excluded)" : "");
	if (have && want && strcmp(h, w) == 0) {
		snprintf(h, CHECK_VALUE_LEN, "%llu bytes",
			 (unsigned long long)have);
		snprintf(w, CHECK_VALUE_LEN, "%llu bytes",
			 (unsigned long long)want);
	}
}

static void check_fmt_count(uint64_t v, bool excluded, char *buf)
{
	if (v)
		snprintf(buf, CHECK_VALUE_LEN, "%llu", (unsigned long long)v);
	else
		snprintf(buf, CHECK_VALUE_LEN, "none%s",
			 excluded ? " (excluded)" : "");
}

/* Prints the limit lines for one home; returns how many. */
static size_t check_limits_print(FILE *f, const char *pfx, const char *name,
				 const struct config *cfg,
				 const struct quota_usage *q)
{
	static const char *const what[] = {
		"hard limit", "soft limit", "inode hard limit",
		"inode soft limit",
	};
	struct quota_limits want;
	bool excl = config_is_excluded(cfg, name);
	char h[CHECK_VALUE_LEN], w[CHECK_VALUE_LEN];
	uint64_t have_v[4], want_v[4];
	size_t n = 0;

	check_wanted(cfg, name, &want);
	have_v[0] = q->bytes_hard;
	have_v[1] = q->bytes_soft;
	have_v[2] = q->inodes_hard;
	have_v[3] = q->inodes_soft;
	want_v[0] = want.bytes_hard;
	want_v[1] = want.bytes_soft;
	want_v[2] = want.inodes_hard;
	want_v[3] = want.inodes_soft;
	for (size_t i = 0; i < 4; i++) {
		if (have_v[i] == want_v[i])
			continue;
		if (i < 2) {
			check_fmt_sizes(have_v[i], want_v[i], excl, h, w);
		} else {
			check_fmt_count(have_v[i], false, h);
			check_fmt_count(want_v[i], excl, w);
		}
		fprintf(f, "%s%s is %s, config says %s\n", pfx, what[i], h, w);
		n++;
	}
	return n;
}

/*
 * Limits are only judged on an ID the home may keep: homequotad gives a
 * home without one, or below min_projid, a fresh ID, so the limits of the
 * old one say nothing.
 */
size_t check_home_print(FILE *f, const struct config *cfg,
			const struct check_home *c)
{
	const struct report_home *h = c->home;
	char *shown, *dup_shown = NULL;
	char pfx[PATH_MAX + 64];
	size_t n = 0;

	shown = projfile_escape(h->name);
	snprintf(pfx, sizeof(pfx), "'%s' in '%s': ", shown ? shown : "?",
		 c->base);
	free(shown);

	if (h->id == 0) {
		fprintf(f, "%sno project id\n", pfx);
		n++;
	} else if (h->id < cfg->min_projid) {
		fprintf(f, "%sproject id %u is below min_projid %u\n", pfx,
			h->id, cfg->min_projid);
		n++;
	}
	if (!h->inherit) {
		fprintf(f, "%sPROJINHERIT is not set\n", pfx);
		n++;
	}
	if (c->dup) {
		dup_shown = projfile_escape(c->dup->home->name);
		fprintf(f, "%sproject id %u is also held by '%s' in '%s'\n",
			pfx, h->id, dup_shown ? dup_shown : "?",
			c->dup->base);
		free(dup_shown);
		n++;
	}
	if (h->id && h->id >= cfg->min_projid)
		n += check_limits_print(f, pfx, h->name, cfg, &c->have);
	return n;
}

/*
 * Reads one base path: its filesystem must count project usage; one that
 * does not enforce it is a difference, not an error.  Returns 0 or a
 * negative errno after saying what went wrong.
 */
static int check_base_read(struct check_run *run, struct check_base *b)
{
	struct quota_fsinfo info;
	struct stat st;
	char why[512];
	int fd, rc;

	fd = open(b->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		cli_fail(rc, "cannot open base path '%s'", b->path);
		goto out_close;
	}
	b->dev = st.st_dev;
	rc = quota_fs_probe_fd(fd, b->path, &info, why, sizeof(why));
	if (rc < 0 && !info.accounting) {
		cli_fail(0, "%s", why);
		goto out_close;
	}
	if (rc < 0) {
		printf("%s\n", why);
		run->diffs++;
	}

	rc = report_homes_scan(fd, b->path, &b->homes, &b->nhomes);
	if (rc < 0)
		cli_fail(rc, "cannot list the homes in '%s'", b->path);
out_close:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Reads the quota record of each home of b; errors are counted. */
static void check_base_quotas(struct check_run *run, struct check_base *b)
{
	int fd, open_err;

	fd = open(b->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	open_err = fd < 0 ? -errno : 0;
	for (size_t i = 0; i < b->nhomes; i++) {
		struct check_home *c = &run->all[run->nall];
		const struct report_home *h = &b->homes[i];
		int rc = 0;

		memset(c, 0, sizeof(*c));
		c->base = b->path;
		c->dev = b->dev;
		c->home = h;
		if (h->err) {
			rc = h->err;
		} else if (h->id && fd < 0) {
			rc = open_err;
		} else if (h->id) {
			rc = quota_get(fd, h->id, &c->have);
			if (rc == -ENOENT) {
				memset(&c->have, 0, sizeof(c->have));
				rc = 0;
			}
		}
		if (rc < 0) {
			char *shown = projfile_escape(h->name);

			cli_fail(rc, "cannot check '%s' in '%s'",
				 shown ? shown : "?", b->path);
			free(shown);
			run->errors++;
			continue;
		}
		run->nall++;
	}
	if (fd >= 0)
		close(fd);
}

/* Reads every base path, then judges every home; 0 or -ENOMEM. */
static int check_all(struct check_run *run)
{
	size_t total = 0;

	for (size_t i = 0; i < run->nbases; i++) {
		if (check_base_read(run, &run->bases[i]) < 0)
			run->errors++;
		total += run->bases[i].nhomes;
	}
	run->all = calloc(total ? total : 1, sizeof(*run->all));
	if (!run->all)
		return -ENOMEM;
	for (size_t i = 0; i < run->nbases; i++)
		check_base_quotas(run, &run->bases[i]);
	if (check_mark_dups(run->all, run->nall) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < run->nall; i++)
		run->diffs += check_home_print(stdout, run->cfg, &run->all[i]);
	return 0;
}

static void check_summary(const struct check_run *run)
{
	printf("checked %zu home%s in %zu base path%s: ", run->nall,
	       run->nall == 1 ? "" : "s", run->nbases,
	       run->nbases == 1 ? "" : "s");
	if (run->diffs)
		printf("%zu difference%s", run->diffs,
		       run->diffs == 1 ? "" : "s");
	else
		printf("all match");
	if (run->errors)
		printf(", %zu could not be checked", run->errors);
	putchar('\n');
}

static const struct option check_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* Parses the options; returns -1 to go on, or an exit code. */
static int check_parse(int argc, char **argv, const char **config)
{
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":c:" CLI_COMMON_OPTS,
				check_longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config = optarg;
			break;
		case 'h':
			cli_usage(stdout);
			return CLI_EXIT_OK;
		case 'd':
			cli_debug();
			break;
		default:
			return cli_option_error(c, argv, check_longopts);
		}
	}
	if (optind < argc)
		return cli_usage_error("check: unexpected argument '%s'",
				       argv[optind]);
	return -1;
}

/* Frees what check_all() gathered; the config is the caller's. */
static void check_run_free(struct check_run *run)
{
	for (size_t i = 0; i < run->nbases; i++)
		report_homes_free(run->bases[i].homes, run->bases[i].nhomes);
	free(run->bases);
	free(run->all);
}

int check_command(int argc, char **argv)
{
	const char *path = CONFIG_DEFAULT_PATH;
	struct check_run run = { 0 };
	struct config cfg;
	char err[1024];
	int rc;

	rc = check_parse(argc, argv, &path);
	if (rc >= 0)
		return rc;
	if (config_load_file(&cfg, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "homequota: %s\n", err);
		return CHECK_EXIT_ERROR;
	}

	run.cfg = &cfg;
	run.bases = calloc(cfg.npaths ? cfg.npaths : 1, sizeof(*run.bases));
	if (!run.bases) {
		rc = -ENOMEM;
		goto out_free;
	}
	run.nbases = cfg.npaths;
	for (size_t i = 0; i < cfg.npaths; i++)
		run.bases[i].path = cfg.paths[i];
	rc = check_all(&run);
	if (rc == 0)
		check_summary(&run);
out_free:
	check_run_free(&run);
	config_free(&cfg);
	if (rc < 0) {
		cli_fail(rc, "cannot check '%s'", path);
		return CHECK_EXIT_ERROR;
	}
	if (run.errors)
		return CHECK_EXIT_ERROR;
	return run.diffs ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
