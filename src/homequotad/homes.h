/*
 * The homes homequotad manages: every directory directly inside a base
 * path whose name does not start with '.'.  Each gets a project ID of its
 * own, stored on its directory inode with PROJINHERIT so that everything
 * created below it inherits the ID, and a limit on that project.
 *
 * The filesystem is the source of truth: on start every home's ID is read
 * back from its directory.  A home whose ID is missing, below min_projid,
 * or shared with another home is adopted: it gets a fresh ID and its whole
 * existing tree is walked to carry that ID.  While that walk runs, the
 * home directory carries the extended attribute "trusted.homequotad.adopt",
 * so a walk cut short by a crash is redone after a restart.
 */
#ifndef HOMENFS_HOMES_H
#define HOMENFS_HOMES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "quota.h"

#define HOMES_ADOPT_XATTR "trusted.homequotad.adopt"

struct homes;

/* Counters kept for logs and metrics; they only grow. */
struct homes_stats {
	uint64_t passes;
	uint64_t events;
	uint64_t overflows;
	uint64_t adopted;
	uint64_t ids_set;
	uint64_t limits_set;
	uint64_t walk_errors;
	uint64_t quota_errors;
	uint64_t io_errors;
	uint64_t grows;			/* filesystems grown online */
	uint64_t grow_failures;		/* attempts that failed */
	double last_pass_seconds;
	double last_pass_time;		/* unix time of the last full pass */
	bool last_pass_ok;
};

/*
 * Opens every base path of cfg, checks it (exists, is a directory, lies on
 * a filesystem that counts and enforces project quotas), gives it the
 * configured owner and starts watching it.  On failure one line naming the
 * fix is written into err and nothing is left open.  cfg must outlive the
 * returned object.
 */
int homes_open(struct homes **out, const struct config *cfg, char *err,
	       size_t errlen);
void homes_close(struct homes *h);

/* The inotify descriptor to poll for events. */
int homes_inotify_fd(const struct homes *h);

/* Reads and handles every pending inotify event.  0 or -errno. */
int homes_handle_events(struct homes *h);

/*
 * A full pass: every home in every base path is looked at again, limits
 * changed by hand are put back, vanished homes are dropped, and the
 * projects files are rewritten when the set changed.
 */
int homes_full_pass(struct homes *h);

/* Whether an adoption walk has work left; homes_work() does some of it. */
bool homes_busy(const struct homes *h);

/* Runs adoption walks for about max_ms milliseconds. */
void homes_work(struct homes *h, unsigned max_ms);

/*
 * Grows the filesystem of every base path online whose block device has
 * grown since the last call (see grow.h); logs each growth and failure.
 */
void homes_grow(struct homes *h);

/* Rewrites the projects files now if the set of homes changed. */
void homes_flush(struct homes *h);

/* Whether the projects files wait for a rewrite. */
bool homes_dirty(const struct homes *h);

const struct homes_stats *homes_stats(const struct homes *h);

/* One managed home, as listed for metrics and reports. */
struct homes_entry {
	const char *base;
	int base_fd;		/* open on the base path, for quota_get() */
	const char *name;
	uint32_t id;
	bool excluded;
	bool adopting;
};

/* Calls fn for every home; stops and returns fn's value if non-zero. */
int homes_foreach(const struct homes *h,
		  int (*fn)(const struct homes_entry *e, void *arg),
		  void *arg);

/* One base path, as listed for metrics and health checks. */
struct homes_base_entry {
	const char *path;
	int fd;			/* open on the base path */
	bool watched;		/* false once it was removed or moved */
};

/* Calls fn for every base path; stops and returns fn's value if non-zero. */
int homes_foreach_base(const struct homes *h,
		       int (*fn)(const struct homes_base_entry *e, void *arg),
		       void *arg);

#endif
