/*
 * Project quotas through the kernel's own interfaces: FS_IOC_FSGETXATTR /
 * FS_IOC_FSSETXATTR for a directory's project ID and PROJINHERIT flag, and
 * quotactl_fd(2) with PRJQUOTA for limits, usage and the list of project
 * records.  quotactl_fd takes any descriptor on the filesystem, so no block
 * device node is needed (containers often have none).  The same calls work
 * on XFS and ext4.
 *
 * Every function returns 0 or a negative errno.  No subprocesses.
 */
#ifndef HOMENFS_QUOTA_H
#define HOMENFS_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits and usage of one project, all in bytes and inodes; 0 = no limit. */
struct quota_usage {
	uint32_t id;
	uint64_t bytes_used;
	uint64_t bytes_soft;
	uint64_t bytes_hard;
	uint64_t inodes_used;
	uint64_t inodes_soft;
	uint64_t inodes_hard;
};

/* What to change with quota_set_limits(). */
struct quota_limits {
	uint64_t bytes_soft;
	uint64_t bytes_hard;
	uint64_t inodes_soft;
	uint64_t inodes_hard;
};

enum quota_fstype {
	QUOTA_FS_OTHER,
	QUOTA_FS_XFS,
	QUOTA_FS_EXT4,
};

/* What quota_fs_probe() found about the filesystem under a path. */
struct quota_fsinfo {
	enum quota_fstype type;
	bool accounting;	/* project usage is counted */
	bool enforcing;		/* project limits are enforced */
};

/* Read the project ID and PROJINHERIT flag of the inode behind fd. */
int quota_get_projid(int fd, uint32_t *id, bool *inherit);

/*
 * Set the project ID of the inode behind fd; PROJINHERIT is set when
 * inherit is true (directories only) and cleared otherwise.
 */
int quota_set_projid(int fd, uint32_t id, bool inherit);

/* fd is any descriptor on the filesystem. -ENOENT: no record for id. */
int quota_get(int fd, uint32_t id, struct quota_usage *out);
int quota_set_limits(int fd, uint32_t id, const struct quota_limits *lim);

/*
 * Calls fn for every project record with ID >= first, in ID order, using
 * Q_GETNEXTQUOTA.  Stops early and returns fn's value if it is non-zero.
 */
int quota_foreach(int fd, uint32_t first,
		  int (*fn)(const struct quota_usage *q, void *arg),
		  void *arg);

/*
 * Probes the filesystem under path.  Returns 0 when it counts and enforces
 * project quotas.  Otherwise returns a negative errno (-EOPNOTSUPP for no
 * project quota support) and writes one line into why, naming the fix,
 * such as "'/export' is xfs mounted without prjquota: remount with -o
 * prjquota".  info is filled in either way when the path could be opened.
 */
int quota_fs_probe(const char *path, struct quota_fsinfo *info,
		   char *why, size_t whylen);

/*
 * quota_fs_probe() on an open descriptor (O_PATH is enough); path is only
 * used in the message.  Lets a caller probe exactly the inode it will
 * change.
 */
int quota_fs_probe_fd(int fd, const char *path, struct quota_fsinfo *info,
		      char *why, size_t whylen);

/*
 * quotactl counts space limits in 1 KiB blocks.  Bytes become whole blocks
 * rounded up; blocks become bytes, saturating at UINT64_MAX.
 */
uint64_t quota_bytes_to_blocks(uint64_t bytes);
uint64_t quota_blocks_to_bytes(uint64_t blocks);

const char *quota_fstype_name(enum quota_fstype type);

#endif
