#include "set.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "quota.h"
#include "size.h"

/* Long options without a short form take values past any character. */
enum {
	SET_OPT_ID = 256,
	SET_OPT_HARD,
	SET_OPT_SOFT,
	SET_OPT_INODES_HARD,
	SET_OPT_INODES_SOFT,
};

static const struct option set_longopts[] = {
	{ "id", required_argument, NULL, SET_OPT_ID },
	{ "hard", required_argument, NULL, SET_OPT_HARD },
	{ "soft", required_argument, NULL, SET_OPT_SOFT },
	{ "inodes-hard", required_argument, NULL, SET_OPT_INODES_HARD },
	{ "inodes-soft", required_argument, NULL, SET_OPT_INODES_SOFT },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

struct set_args {
	const char *dir;
	uint32_t id;
	bool have_id;
	bool have_hard;
	struct quota_limits lim;
};

/* Parses one option value into args; returns -1 to go on, or exit code. */
static int set_option(int c, const char *val, struct set_args *args)
{
	int rc;

	switch (c) {
	case SET_OPT_ID:
		rc = cli_parse_projid(val, &args->id);
		if (rc < 0)
			return cli_usage_error("invalid project id '%s': use 1 to %u (0 is the default project)",
					       val, UINT32_MAX - 1);
		args->have_id = true;
		return -1;
	case SET_OPT_HARD:
	case SET_OPT_SOFT:
		rc = size_parse(val, c == SET_OPT_HARD ? &args->lim.bytes_hard :
					  &args->lim.bytes_soft);
		if (rc == -ERANGE)
			return cli_usage_error("size '%s' is too large: the largest is 16E less one byte",
					       val);
		if (rc < 0)
			return cli_usage_error("invalid size '%s': use a number with an optional suffix such as 512M or 10G",
					       val);
		args->have_hard |= c == SET_OPT_HARD;
		return -1;
	default:
		rc = cli_parse_u64(val, c == SET_OPT_INODES_HARD ?
					&args->lim.inodes_hard :
					&args->lim.inodes_soft);
		if (rc < 0)
			return cli_usage_error("invalid inode count '%s'", val);
		return -1;
	}
}

/* Checks what getopt cannot: required options, one DIR, soft <= hard. */
static int set_check_args(int argc, char **argv, struct set_args *args)
{
	const struct quota_limits *l = &args->lim;

	if (optind >= argc)
		return cli_usage_error("set: no directory given");
	if (optind + 1 < argc)
		return cli_usage_error("set: unexpected argument '%s'",
				       argv[optind + 1]);
	args->dir = argv[optind];
	if (!args->have_id)
		return cli_usage_error("set: --id is required");
	if (!args->have_hard)
		return cli_usage_error("set: --hard is required");
	if (l->bytes_hard && l->bytes_soft > l->bytes_hard)
		return cli_usage_error("set: --soft is above --hard");
	if (l->inodes_hard && l->inodes_soft > l->inodes_hard)
		return cli_usage_error("set: --inodes-soft is above --inodes-hard");
	return -1;
}

static int set_parse(int argc, char **argv, struct set_args *args)
{
	int c;
	int rc;

	memset(args, 0, sizeof(*args));
	optind = 0;
	while ((c = getopt_long(argc, argv, ":" CLI_COMMON_OPTS, set_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_usage(stdout);
			return CLI_EXIT_OK;
		case 'd':
			cli_debug();
			break;
		case '?':
		case ':':
			return cli_option_error(c, argv, set_longopts);
		default:
			rc = set_option(c, optarg, args);
			if (rc >= 0)
				return rc;
		}
	}
	return set_check_args(argc, argv, args);
}

static const char *set_fmt_bytes(uint64_t v, char *buf)
{
	return v ? size_format(v, buf, SIZE_FMT_LEN) : "none";
}

static const char *set_fmt_count(uint64_t v, char *buf)
{
	if (!v)
		return "none";
	snprintf(buf, SIZE_FMT_LEN + 8, "%llu", (unsigned long long)v);
	return buf;
}

/* The one line a successful set prints. */
static void set_report(const struct set_args *args, uint32_t old_id)
{
	char hard[SIZE_FMT_LEN], soft[SIZE_FMT_LEN];
	char ihard[SIZE_FMT_LEN + 8], isoft[SIZE_FMT_LEN + 8];

	printf("'%s': project %u (was %u), hard %s, soft %s, inodes hard %s, soft %s\n",
	       args->dir, args->id, old_id,
	       set_fmt_bytes(args->lim.bytes_hard, hard),
	       set_fmt_bytes(args->lim.bytes_soft, soft),
	       set_fmt_count(args->lim.inodes_hard, ihard),
	       set_fmt_count(args->lim.inodes_soft, isoft));
}

/*
 * The limits go in before the directory joins the project: if the second
 * step fails, an unused project has limits, which harms nothing, while the
 * other order could leave a home counted against no limit at all.
 */
static int set_apply(int fd, const struct set_args *args)
{
	struct quota_fsinfo info;
	char why[512];
	uint32_t old_id;
	bool inherit;
	int rc;

	rc = quota_fs_probe_fd(fd, args->dir, &info, why, sizeof(why));
	log_debug("'%s' is %s, accounting %d, enforcing %d", args->dir,
		  quota_fstype_name(info.type), info.accounting,
		  info.enforcing);
	if (rc < 0)
		return cli_fail(0, "%s", why);

	rc = quota_get_projid(fd, &old_id, &inherit);
	if (rc < 0)
		return cli_fail(rc, "cannot read the project id of '%s'",
				args->dir);
	rc = quota_set_limits(fd, args->id, &args->lim);
	if (rc < 0)
		return cli_fail(rc, "cannot set the limits of project %u on '%s'",
				args->id, args->dir);
	rc = quota_set_projid(fd, args->id, true);
	if (rc < 0)
		return cli_fail(rc, "cannot set project id %u on '%s'",
				args->id, args->dir);

	set_report(args, old_id);
	return CLI_EXIT_OK;
}

int set_command(int argc, char **argv)
{
	struct set_args args;
	int fd;
	int rc;

	rc = set_parse(argc, argv, &args);
	if (rc >= 0)
		return rc;

	fd = open(args.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cli_fail(-errno, "cannot open '%s'", args.dir);
	rc = set_apply(fd, &args);
	close(fd);
	return rc;
}
