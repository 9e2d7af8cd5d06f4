/*
 * The only file that talks to the kernel about project quotas.  The uapi
 * headers are used directly: glibc has no quotactl_fd() wrapper and its
 * <sys/quota.h> clashes with <linux/quota.h>.
 */
#include "quota.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>

#include "log.h"

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443	/* the same number on every architecture */
#endif

/* Filesystems people try, named so a refusal says what the path is on. */
static const struct {
	unsigned long magic;
	const char *name;
} quota_fs_names[] = {
	{ XFS_SUPER_MAGIC, "xfs" },
	{ EXT4_SUPER_MAGIC, "ext4" },
	{ BTRFS_SUPER_MAGIC, "btrfs" },
	{ TMPFS_MAGIC, "tmpfs" },
	{ OVERLAYFS_SUPER_MAGIC, "overlayfs" },
	{ NFS_SUPER_MAGIC, "nfs" },
	{ 0x2fc12fc1, "zfs" },
	{ 0x65735546, "fuse" },
	{ 0xf2f52010, "f2fs" },
	{ RAMFS_MAGIC, "ramfs" },
	{ PROC_SUPER_MAGIC, "proc" },
	{ SYSFS_MAGIC, "sysfs" },
};

const char *quota_fstype_name(enum quota_fstype type)
{
	switch (type) {
	case QUOTA_FS_XFS:
		return "xfs";
	case QUOTA_FS_EXT4:
		return "ext4";
	case QUOTA_FS_OTHER:
		break;
	}
	return "other";
}

/* quotactl_fd(2) on PRJQUOTA; 0 or the kernel's negative errno. */
static int quota_ctl_raw(int fd, int cmd, uint32_t id, void *addr)
{
	if (syscall(SYS_quotactl_fd, fd, QCMD(cmd, PRJQUOTA), id, addr) < 0)
		return -errno;
	return 0;
}

/*
 * The kernel answers ESRCH, ENOSYS or EINVAL when project quotas are not
 * on for the filesystem (or not built in); callers get -EOPNOTSUPP for all
 * three so they need test only one value.
 */
static int quota_ctl(int fd, int cmd, uint32_t id, void *addr)
{
	int rc = quota_ctl_raw(fd, cmd, id, addr);

	if (rc == -ESRCH || rc == -ENOSYS || rc == -EINVAL) {
		log_debug("quotactl_fd(0x%x, id %u): %s: project quotas are not on",
			  (unsigned)cmd, id, strerror(-rc));
		return -EOPNOTSUPP;
	}
	return rc;
}

int quota_get_projid(int fd, uint32_t *id, bool *inherit)
{
	struct fsxattr fsx;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
		return -errno;
	*id = fsx.fsx_projid;
	*inherit = fsx.fsx_xflags & FS_XFLAG_PROJINHERIT;
	return 0;
}

/*
 * Reads the attributes first and changes only the project ID and the
 * PROJINHERIT bit, so other flags (immutable, append-only, extent size
 * hints) survive.
 */
int quota_set_projid(int fd, uint32_t id, bool inherit)
{
	struct fsxattr fsx;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
		return -errno;
	fsx.fsx_projid = id;
	if (inherit)
		fsx.fsx_xflags |= FS_XFLAG_PROJINHERIT;
	else
		fsx.fsx_xflags &= ~(uint32_t)FS_XFLAG_PROJINHERIT;
	if (ioctl(fd, FS_IOC_FSSETXATTR, &fsx) < 0)
		return -errno;
	return 0;
}

/* Saturates rather than wraps: a huge limit must not become a small one. */
uint64_t quota_blocks_to_bytes(uint64_t blocks)
{
	if (blocks > UINT64_MAX >> QIF_DQBLKSIZE_BITS)
		return UINT64_MAX;
	return blocks << QIF_DQBLKSIZE_BITS;
}

/* Rounds up so that a limit is never set below what was asked for. */
uint64_t quota_bytes_to_blocks(uint64_t bytes)
{
	return (bytes >> QIF_DQBLKSIZE_BITS) +
	       ((bytes & (QIF_DQBLKSIZE - 1)) != 0);
}

static void quota_usage_fill(struct quota_usage *out, uint32_t id,
			     const struct if_dqblk *dq)
{
	out->id = id;
	out->bytes_used = dq->dqb_curspace;
	out->bytes_soft = quota_blocks_to_bytes(dq->dqb_bsoftlimit);
	out->bytes_hard = quota_blocks_to_bytes(dq->dqb_bhardlimit);
	out->inodes_used = dq->dqb_curinodes;
	out->inodes_soft = dq->dqb_isoftlimit;
	out->inodes_hard = dq->dqb_ihardlimit;
}

int quota_get(int fd, uint32_t id, struct quota_usage *out)
{
	struct if_dqblk dq;
	int rc;

	memset(&dq, 0, sizeof(dq));
	rc = quota_ctl(fd, Q_GETQUOTA, id, &dq);
	if (rc < 0)
		return rc;
	quota_usage_fill(out, id, &dq);
	return 0;
}

/* Only the limits are marked valid: usage and grace times stay untouched. */
int quota_set_limits(int fd, uint32_t id, const struct quota_limits *lim)
{
	struct if_dqblk dq;

	memset(&dq, 0, sizeof(dq));
	dq.dqb_bsoftlimit = quota_bytes_to_blocks(lim->bytes_soft);
	dq.dqb_bhardlimit = quota_bytes_to_blocks(lim->bytes_hard);
	dq.dqb_isoftlimit = lim->inodes_soft;
	dq.dqb_ihardlimit = lim->inodes_hard;
	dq.dqb_valid = QIF_LIMITS;
	return quota_ctl(fd, Q_SETQUOTA, id, &dq);
}

/*
 * if_nextdqblk is if_dqblk with the found ID appended, so its fields are
 * copied one by one rather than by casting between the two.
 */
static void quota_usage_fill_next(struct quota_usage *out,
				  const struct if_nextdqblk *nd)
{
	struct if_dqblk dq = {
		.dqb_bhardlimit = nd->dqb_bhardlimit,
		.dqb_bsoftlimit = nd->dqb_bsoftlimit,
		.dqb_curspace = nd->dqb_curspace,
		.dqb_ihardlimit = nd->dqb_ihardlimit,
		.dqb_isoftlimit = nd->dqb_isoftlimit,
		.dqb_curinodes = nd->dqb_curinodes,
	};

	quota_usage_fill(out, nd->dqb_id, &dq);
}

/*
 * The kernel returns the first record at or above the ID asked for and
 * -ENOENT past the last one.  ID UINT32_MAX is not a valid ID, so the walk
 * also ends when the next ID to ask for would reach it; a returned ID below
 * the one asked for would loop forever and ends the walk too.
 */
int quota_foreach(int fd, uint32_t first,
		  int (*fn)(const struct quota_usage *q, void *arg),
		  void *arg)
{
	struct if_nextdqblk nd;
	struct quota_usage q;
	uint32_t id = first;
	int rc;

	while (id < UINT32_MAX) {
		memset(&nd, 0, sizeof(nd));
		rc = quota_ctl(fd, Q_GETNEXTQUOTA, id, &nd);
		if (rc == -ENOENT)
			return 0;
		if (rc < 0)
			return rc;
		if (nd.dqb_id < id)
			return -EIO;

		quota_usage_fill_next(&q, &nd);
		rc = fn(&q, arg);
		if (rc)
			return rc;
		if (nd.dqb_id >= UINT32_MAX - 1)
			break;
		id = nd.dqb_id + 1;
	}
	return 0;
}

static const char *quota_fs_magic_name(unsigned long magic)
{
	size_t n = sizeof(quota_fs_names) / sizeof(quota_fs_names[0]);

	for (size_t i = 0; i < n; i++) {
		if (quota_fs_names[i].magic == magic)
			return quota_fs_names[i].name;
	}
	return NULL;
}

/* Writes the refusal for a filesystem type without project quotas. */
static int quota_fs_refuse_type(const char *path, unsigned long magic,
				char *why, size_t whylen)
{
	const char *name = quota_fs_magic_name(magic);

	if (name)
		snprintf(why, whylen, "'%s' is %s, which has no project quotas: use xfs or ext4",
			 path, name);
	else
		snprintf(why, whylen, "'%s' is on a filesystem of type 0x%lx, which has no project quotas: use xfs or ext4",
			 path, magic);
	return -EOPNOTSUPP;
}

/* Writes the one-line fix for xfs or ext4 that is not counting or enforcing. */
static void quota_fs_explain(const char *path, const struct quota_fsinfo *info,
			     char *why, size_t whylen)
{
	if (info->type == QUOTA_FS_XFS && !info->accounting)
		snprintf(why, whylen, "'%s' is xfs mounted without prjquota: unmount it and mount with -o prjquota (a remount cannot turn xfs quotas on)",
			 path);
	else if (info->type == QUOTA_FS_XFS)
		snprintf(why, whylen, "'%s' is xfs mounted with pqnoenforce: usage is counted but not enforced: unmount it and mount with -o prjquota",
			 path);
	else if (!info->accounting)
		snprintf(why, whylen, "'%s' is ext4 without project quota accounting: run tune2fs -O quota,project on the unmounted device (or mkfs.ext4 -O quota,project), then mount with -o prjquota",
			 path);
	else
		snprintf(why, whylen, "'%s' is ext4 mounted without prjquota: usage is counted but not enforced: mount with -o prjquota",
			 path);
}

/*
 * ENOSYS from quotactl means either a kernel without quota support or a
 * filesystem mounted without quotas (xfs then has no quota operations at
 * all).  The kernel's own files tell the two apart: /proc/fs/xfs/xqm
 * exists with XFS quota support, /proc/sys/fs/quota with the generic
 * quota code ext4 uses.
 */
static bool quota_kernel_supports(enum quota_fstype type)
{
	const char *probe = type == QUOTA_FS_XFS ? "/proc/fs/xfs/xqm" :
						   "/proc/sys/fs/quota";

	return access(probe, F_OK) == 0;
}

/*
 * Q_XGETQSTATV works for both xfs and the generic quota code ext4 uses,
 * needs no privilege, and tells accounting apart from enforcement.
 */
int quota_fs_probe_fd(int fd, const char *path, struct quota_fsinfo *info,
		      char *why, size_t whylen)
{
	struct fs_quota_statv qs;
	struct statfs sfs;
	int rc;

	memset(info, 0, sizeof(*info));
	if (whylen)
		why[0] = '\0';
	if (fstatfs(fd, &sfs) < 0) {
		rc = -errno;
		snprintf(why, whylen, "cannot read the filesystem of '%s': %s",
			 path, strerror(-rc));
		return rc;
	}

	if ((unsigned long)sfs.f_type == XFS_SUPER_MAGIC)
		info->type = QUOTA_FS_XFS;
	else if ((unsigned long)sfs.f_type == EXT4_SUPER_MAGIC)
		info->type = QUOTA_FS_EXT4;
	else
		return quota_fs_refuse_type(path, (unsigned long)sfs.f_type,
					    why, whylen);

	memset(&qs, 0, sizeof(qs));
	qs.qs_version = FS_QSTATV_VERSION1;
	rc = quota_ctl_raw(fd, Q_XGETQSTATV, 0, &qs);
	if (rc == -ENOSYS && !quota_kernel_supports(info->type)) {
		snprintf(why, whylen, "'%s' is %s but the running kernel cannot manage its quotas: use Linux 5.14 or later built with %s",
			 path, quota_fstype_name(info->type),
			 info->type == QUOTA_FS_XFS ? "CONFIG_XFS_QUOTA" :
						      "CONFIG_QUOTA");
		return -EOPNOTSUPP;
	}
	if (rc < 0 && rc != -ENOSYS && rc != -ESRCH && rc != -EINVAL) {
		snprintf(why, whylen, "cannot read the quota state of '%s': %s",
			 path, strerror(-rc));
		return rc;
	}
	if (rc == 0) {
		info->accounting = qs.qs_flags & FS_QUOTA_PDQ_ACCT;
		info->enforcing = qs.qs_flags & FS_QUOTA_PDQ_ENFD;
	}
	if (info->accounting && info->enforcing)
		return 0;

	quota_fs_explain(path, info, why, whylen);
	return -EOPNOTSUPP;
}

int quota_fs_probe(const char *path, struct quota_fsinfo *info,
		   char *why, size_t whylen)
{
	int fd;
	int rc;

	memset(info, 0, sizeof(*info));
	/* O_PATH: no read permission needed, and a FIFO cannot block us. */
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, whylen, "cannot open '%s': %s", path,
			 strerror(-rc));
		return rc;
	}
	rc = quota_fs_probe_fd(fd, path, info, why, whylen);
	close(fd);
	return rc;
}
