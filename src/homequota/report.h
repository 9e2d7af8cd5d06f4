/*
 * homequota report: the project quota records of one filesystem, each with
 * the name of the home that holds its ID, the share of the hard limit in
 * use and a mark for homes near their limit.  The rows are collected in
 * memory first, then named, sorted and printed as a table or as JSON.
 *
 * The home scan here is shared with homequota check: both must agree with
 * homequotad on what a home is.
 */
#ifndef HOMENFS_REPORT_H
#define HOMENFS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "quota.h"

/* A percentage that means "no hard limit" in report_percent(). */
#define REPORT_NO_PERCENT UINT64_MAX

struct report_row {
	struct quota_usage q;
	char *name;		/* raw name of its home, or NULL */
};

struct report {
	struct report_row *rows;
	size_t len;
	size_t cap;
};

struct report_totals {
	uint64_t used;		/* saturates at UINT64_MAX */
	uint64_t hard;		/* sum of the hard limits that are set */
	size_t rows;
	size_t over_90;
};

enum report_sort {
	REPORT_SORT_ID,		/* ascending */
	REPORT_SORT_USE,	/* most bytes used first, then by ID */
	REPORT_SORT_NAME,	/* byte order, unnamed rows last, then by ID */
};

/* A directory directly inside a base path that homequotad takes as a home. */
struct report_home {
	char *name;		/* raw bytes */
	uint32_t id;		/* project ID on its directory inode */
	bool inherit;		/* PROJINHERIT is set */
	int err;		/* -errno when the ID could not be read */
};

/* Appends a copy of q without a name; 0 or -ENOMEM. */
int report_add(struct report *r, const struct quota_usage *q);

/*
 * Gives the row for id the home name (copied).  A row already named keeps
 * the name that sorts first, so the result does not depend on directory
 * order.  Rows must be in ID order.  0, -ENOENT (no row) or -ENOMEM.
 */
int report_name(struct report *r, uint32_t id, const char *name);

void report_sort(struct report *r, enum report_sort by);

/*
 * Percent of the hard limit in use, rounded down (may pass 100), or
 * REPORT_NO_PERCENT when there is no hard limit.
 */
uint64_t report_percent(const struct quota_usage *q);

/* Whether the project uses at least 90% of a hard limit it has. */
bool report_over_90(const struct quota_usage *q);

void report_totals(const struct report *r, struct report_totals *t);

/*
 * Prints a header, one aligned line per row and a totals line.  The
 * columns are ID USED SOFT HARD INODES ISOFT IHARD USE% FLAG NAME; sizes
 * are human-readable (size_format) unless bytes is true; "-" means no
 * limit, no mark or no home.  Names are escaped with projfile_escape().
 */
int report_print(const struct report *r, FILE *f, bool bytes);

/* The report as one JSON document; see homequota(8) for the fields. */
int report_print_json(const struct report *r, const char *path, FILE *f);

/*
 * Writes s as a JSON string with its quotes.  Valid UTF-8 is kept, every
 * byte that is not part of a valid sequence becomes \ufffd, and '"', '\',
 * control characters and DEL are escaped.
 */
void report_json_string(FILE *f, const char *s);

/*
 * Lists the homes directly inside the directory dirfd (path is for
 * messages): entries not starting with '.', not lost+found at the root of
 * a filesystem, directories (symbolic links are not followed) on the same
 * filesystem.  Sorted by name.  0 or a negative errno; *out is freed with
 * report_homes_free().
 */
int report_homes_scan(int dirfd, const char *path, struct report_home **out,
		      size_t *n);
void report_homes_free(struct report_home *homes, size_t n);

void report_free(struct report *r);

/* argv[0] is "report"; returns an exit code (enum cli_exit). */
int report_command(int argc, char **argv);

#endif
