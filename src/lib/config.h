/*
 * homequotad's configuration: a YAML mapping with the keys of the chart's
 * QuotaManager block, either at top level or nested under a single
 * top-level "QuotaManager" key.  man/homequotad.conf.5 documents every key.
 *
 * Loading is strict: unknown keys, wrong types and impossible values are
 * errors, reported as one line "FILE:LINE: 'key': what is wrong".
 */
#ifndef HOMENFS_CONFIG_H
#define HOMENFS_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define CONFIG_DEFAULT_PATH "/etc/homequotad.yaml"

/* Longest accepted metrics_address, with its NUL ("::ffff:1.2.3.4" fits). */
#define CONFIG_ADDRESS_LEN 64

struct config_override {
	char *name;		/* home name, byte-exact */
	uint64_t hard_bytes;
};

struct config_label {
	char *name;
	char *value;
};

struct config {
	char **paths;		/* absolute, no trailing slash, no duplicates */
	size_t npaths;
	uint64_t hard_bytes;	/* default limit per home, a multiple of 1024 */
	uint64_t soft_bytes;	/* 0 = none */
	uint64_t hard_inodes;	/* 0 = none */
	uint64_t soft_inodes;	/* 0 = none */
	double wait_time;	/* seconds between full passes */
	uint32_t min_projid;
	char **exclude;		/* sorted by strcmp() */
	size_t nexclude;
	struct config_override *overrides;	/* sorted by name */
	size_t noverrides;
	uint32_t uid;		/* owner given to each base directory */
	uint32_t gid;
	char projects_file[PATH_MAX];
	char projid_file[PATH_MAX];
	char metrics_address[CONFIG_ADDRESS_LEN];	/* numeric IPv4/IPv6 */
	int metrics_port;	/* 0 = no metrics listener */
	enum log_level log_level;
	struct config_label *labels;	/* in file order */
	size_t nlabels;
	bool auto_resize;
	double resize_interval;	/* seconds */
};

/* Fill c with the defaults; allocates nothing, so it cannot fail. */
void config_init_defaults(struct config *c);

/*
 * Load a config file into c.  c need not be initialised and its previous
 * contents are not freed: load into a fresh struct and keep the old one
 * until this succeeds.  Returns 0, -EINVAL for a bad config, or another
 * negative errno when the file cannot be read.  On error one line without
 * a trailing newline is written into err, and c is left as after
 * config_init_defaults() with nothing allocated.
 */
int config_load_file(struct config *c, const char *path, char *err,
		     size_t errlen);

/* The same for text in memory; name is used in messages as the file name. */
int config_load_buffer(struct config *c, const char *name, const char *buf,
		       size_t len, char *err, size_t errlen);

/* Free what c holds and reset it to the defaults; safe to call twice. */
void config_free(struct config *c);

/* Whether the home with this directory name is excluded (gets no limit). */
bool config_is_excluded(const struct config *c, const char *name);

/*
 * The hard limit for the home with this directory name: its override or
 * hard_quota.  Returns false, leaving *hard_bytes alone, for an excluded
 * home.
 */
bool config_home_limits(const struct config *c, const char *name,
			uint64_t *hard_bytes);

/*
 * The soft limit to pair with a home's hard limit: soft_quota, but never
 * above the hard limit (an override may be lower than soft_quota).
 * 0 means no soft limit.
 */
uint64_t config_soft_bytes(const struct config *c, uint64_t hard_bytes);

#endif
