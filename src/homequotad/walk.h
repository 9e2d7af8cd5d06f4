/*
 * A resumable walk over one directory tree, used to give every inode of an
 * adopted home its project ID.  The walker only visits; the caller's
 * callback does the work.
 *
 * Safety:
 * - every lookup is relative to a directory descriptor (openat, fstatat,
 *   fdopendir), so depth is not limited by PATH_MAX;
 * - symlinks are never followed, and entries on another filesystem or
 *   another mount (a different st_dev or mount ID than the root, which
 *   includes bind mounts of the same filesystem) are skipped, not entered;
 * - only directories and regular files are opened, with O_NOFOLLOW and
 *   O_NONBLOCK, and each opened descriptor is checked to be the inode that
 *   was looked up; symlinks, FIFOs, sockets and device nodes are passed to
 *   the callback with fd -1 and never opened.
 *
 * Memory does not depend on the number of entries, only on depth:
 * - 32 bytes per level of depth (device, inode, readdir position and a
 *   stream pointer), so a 20,000-level tree costs about 640 KiB;
 * - at most max_open directory streams, each one descriptor plus the C
 *   library's read buffer (32 KiB with glibc);
 * - one descriptor pinning the root, and at most two more while one entry
 *   is being handled.
 * A level whose stream was closed to stay within max_open is reopened
 * through ".." from its child, checked by device and inode, and resumed at
 * its saved telldir() position.  XFS and ext4 keep readdir positions valid
 * across opens.  If ".." is no longer the expected directory (the branch
 * was renamed during the walk), the rest of that branch is abandoned, one
 * error is counted, and the walk resumes in the root.  Entries added or
 * removed during the walk may or may not be seen.
 */
#ifndef HOMENFS_WALK_H
#define HOMENFS_WALK_H

#include <stdint.h>
#include <sys/stat.h>

struct walk;

/*
 * files, dirs: visited and opened (dirs includes the root); others:
 * symlinks, FIFOs, sockets and devices, visited with fd -1; skipped_mounts:
 * other filesystems and mounts, not entered; errors: entries that could not
 * be looked up, opened or read; raced: entries replaced between lookup and
 * open; max_depth: the deepest entry visited, the root being 0.
 */
struct walk_stats {
	uint64_t files;
	uint64_t dirs;
	uint64_t others;
	uint64_t skipped_mounts;
	uint64_t errors;
	uint64_t raced;
	unsigned max_depth;
};

/*
 * Called once per visited entry.  fd is open read-only on the entry for
 * directories and regular files, -1 for everything else; it belongs to the
 * walker and must not be closed.  name is the raw entry name ("." for the
 * root).  A non-zero return stops the walk: walk_step() returns that value,
 * so return a negative errno.
 */
typedef int (*walk_fn)(int fd, const struct stat *st, const char *name,
		       unsigned depth, void *arg);

/*
 * Called for each entry that is skipped, with a positive errno: EXDEV for a
 * mount point (counted in skipped_mounts), EAGAIN for an entry that changed
 * between lookup and open (counted in raced), ESTALE when a branch had to
 * be abandoned because it was moved, anything else for an entry that
 * could not be visited (counted in errors).  Without one, these are logged
 * at debug level.
 */
typedef void (*walk_err_fn)(const char *name, unsigned depth, int err,
			    void *arg);

/*
 * Prepares a walk of the directory open at rootfd, which is duplicated: the
 * caller may close its own descriptor.  max_open is the number of directory
 * streams kept open at once (at least 1; 0 picks 32).  efn may be NULL.
 * Returns 0 or a negative errno (-ENOTDIR if rootfd is not a directory).
 */
int walk_open(struct walk **out, int rootfd, unsigned max_open, walk_fn fn,
	      walk_err_fn efn, void *arg);

/*
 * Visits at most budget more entries (leaving a finished directory counts
 * as one), so that a caller in an event loop can interleave other work.
 * Returns 1 if entries remain, 0 when the walk is complete, the callback's
 * non-zero value if it stopped the walk, or a negative errno if the root
 * itself can no longer be read.  Once it has returned anything but 1, it
 * returns 0.
 */
int walk_step(struct walk *w, unsigned budget);

const struct walk_stats *walk_stats(const struct walk *w);

/* Ends the walk at any point and releases every descriptor and buffer. */
void walk_close(struct walk *w);

#endif
