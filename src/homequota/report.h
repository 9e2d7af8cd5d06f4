/*
 * homequota report: the project quota records of one filesystem as a
 * table.  The rows are collected in memory first and printed after, so
 * that names, sorting or other output forms can be added between the two.
 */
#ifndef HOMENFS_REPORT_H
#define HOMENFS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "quota.h"

struct report_row {
	struct quota_usage q;
};

struct report {
	struct report_row *rows;
	size_t len;
	size_t cap;
};

/* Appends a copy of q; 0 or -ENOMEM. */
int report_add(struct report *r, const struct quota_usage *q);

/*
 * Prints a header and one aligned line per row.  Sizes are human-readable
 * (size_format) unless bytes is true; "-" means no limit.
 */
void report_print(const struct report *r, FILE *f, bool bytes);

void report_free(struct report *r);

/* argv[0] is "report"; returns an exit code (enum cli_exit). */
int report_command(int argc, char **argv);

#endif
