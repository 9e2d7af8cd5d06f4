/*
 * homequotad's Prometheus metrics, in the text exposition format 0.0.4.
 *
 * The body is rendered from the current table of homes, so a home that is
 * gone has no series any more.  Per-home usage and limits are read from
 * the kernel with quota_get() while rendering, so they are exact at that
 * moment; the HTTP server renders at most once a second and serves that
 * body to every scrape of the same second (see http.h), so a scrape sees
 * values at most one second old.
 *
 * Label values are escaped as the format requires: '\' becomes "\\", '"'
 * becomes "\"" and a newline becomes "\n".  A home name is a byte string,
 * not necessarily UTF-8: every byte that is not part of a well-formed
 * UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF) is replaced by U+FFFD.  When two names of one base path
 * become the same label value that way, only the first in byte order is
 * exported.
 *
 * The two legacy gauges dirsize_total_size_bytes and
 * dirsize_hard_limit_bytes keep exactly the label "directory" (plus the
 * constant labels of metrics_labels); when several base paths hold a home
 * of the same name, only the one in the first base path (in config order)
 * is exported under these names.  The homequota_home_* series carry the
 * base path as the label "path" and export every home.
 *
 * A limit of 0 means "no limit" and is not exported: an excluded home has
 * no dirsize_hard_limit_bytes series, and a home without a soft limit no
 * homequota_home_soft_limit_bytes series.
 *
 * The constant labels of metrics_labels are added to every series.  One
 * whose name equals a label of the series itself (path, directory, kind,
 * code, version) is left out of that series.
 */
#ifndef HOMENFS_METRICS_H
#define HOMENFS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "homes.h"
#include "http.h"
#include "quota.h"

/* One home as the renderer sees it. */
struct metrics_home {
	const char *name;	/* raw directory name */
	size_t base;		/* index into metrics_snapshot.bases */
	uint32_t id;
	bool adopting;
	bool have_quota;	/* false: q unreadable, no usage series */
	struct quota_usage q;
};

/* One base path and the filesystem under it. */
struct metrics_base {
	const char *path;
	bool watched;		/* false once removed or moved */
	bool have_fs;		/* false: statfs failed */
	uint64_t fs_size_bytes;
	uint64_t fs_free_bytes;	/* available to unprivileged writers */
	uint64_t fs_free_inodes;
};

/* Everything one rendering needs, as plain values. */
struct metrics_snapshot {
	const char *version;
	const struct config_label *labels;
	size_t nlabels;
	const struct metrics_base *bases;
	size_t nbases;
	const struct metrics_home *homes;
	size_t nhomes;
	struct homes_stats stats;
	uint64_t render_quota_errors;	/* counted as kind="quota" */
	const struct http_stats *http;	/* NULL: no request counters */
};

/*
 * Writes s to f as escaped label value text (without the quotes), with
 * the rule above.  0 or -EIO when f fails.
 */
int metrics_escape(FILE *f, const char *s);

/* Writes the whole exposition for snap to f.  0, -ENOMEM or -EIO. */
int metrics_format(FILE *f, const struct metrics_snapshot *snap);

/*
 * Reads the current state of the daemon (its homes, the kernel's quota
 * records, each base path's filesystem) and renders it into a malloc()ed
 * body of *len bytes.  http may be NULL.  0 or -errno.
 */
int metrics_render(const struct homes *h, const struct config *cfg,
		   const struct http_stats *http, char **body, size_t *len);

/*
 * Whether the daemon is healthy: NULL when it is, otherwise a one-line
 * reason written into buf (such as "last full pass failed").
 */
const char *metrics_health(const struct homes *h, char *buf, size_t len);

#endif
