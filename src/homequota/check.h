/*
 * homequota check: compares what the filesystem holds for every home with
 * what homequotad's config says it should hold, without changing
 * anything.  For each home in each base path: a project ID of its own, at
 * or above min_projid, PROJINHERIT on the directory, and the configured
 * limits on the project, in the 1 KiB granularity the kernel keeps.
 */
#ifndef HOMENFS_CHECK_H
#define HOMENFS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "quota.h"
#include "report.h"

/* Exit status when something could not be checked (see homequota(8)). */
#define CHECK_EXIT_ERROR 3

/* One home as found on disk, with what is needed to judge it. */
struct check_home {
	const char *base;		/* its base path */
	dev_t dev;			/* the base path's filesystem */
	const struct report_home *home;
	struct quota_usage have;	/* the project's record; zero if none */
	const struct check_home *dup;	/* an earlier home with this ID */
};

/*
 * The limits homequotad puts on the home called name: its override or the
 * default, soft capped at hard, both rounded up to whole KiB; nothing at
 * all for an excluded home.
 */
void check_wanted(const struct config *cfg, const char *name,
		  struct quota_limits *want);

/*
 * Points each home's dup at the first home before it in v (v is in the
 * order lines are printed) that holds the same non-zero ID on the same
 * filesystem; 0 or -ENOMEM.
 */
int check_mark_dups(struct check_home *v, size_t n);

/*
 * Prints one line per difference between the home and cfg, in the form
 * "'NAME' in 'BASE': what is wrong", names escaped; returns how many.
 */
size_t check_home_print(FILE *f, const struct config *cfg,
			const struct check_home *c);

/* argv[0] is "check"; returns 0, 1 (differences), 2 (usage) or 3. */
int check_command(int argc, char **argv);

#endif
