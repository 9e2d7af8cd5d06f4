/*
 * Online growth of a filesystem to fill its enlarged block device.
 *
 * Both kernels do the work in one ioctl on any open file of the mounted
 * filesystem; what is left here is finding the device size without a
 * device node, knowing the filesystem size, and never asking for less
 * than the filesystem has: XFS since Linux 5.12 shrinks its last
 * allocation group when asked for fewer blocks, so a stale or wrong
 * device size must not reach it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "grow.h"
#include "size.h"

/*
 * The two XFS requests used here, from the XFS user interface header
 * (xfs_fs.h, shipped by xfsprogs' development package rather than the
 * kernel's uapi headers, so not always installed).  The request numbers
 * encode the structure sizes, so the layouts must match exactly: 112 and
 * 16 bytes.  The version 1 geometry is enough (block size, data blocks,
 * imaxpct) and every kernel still answers it.
 */
struct grow_xfs_geom_v1 {
	__u32 blocksize;
	__u32 rtextsize;
	__u32 agblocks;
	__u32 agcount;
	__u32 logblocks;
	__u32 sectsize;
	__u32 inodesize;
	__u32 imaxpct;
	__u64 datablocks;
	__u64 rtblocks;
	__u64 rtextents;
	__u64 logstart;
	unsigned char uuid[16];
	__u32 sunit;
	__u32 swidth;
	__s32 version;
	__u32 flags;
	__u32 logsectsize;
	__u32 rtsectsize;
	__u32 dirblocksize;
};

struct grow_xfs_growfs_data {
	__u64 newblocks;
	__u32 imaxpct;
};

#define GROW_XFS_IOC_FSGEOMETRY_V1 _IOR('X', 100, struct grow_xfs_geom_v1)
#define GROW_XFS_IOC_FSGROWFSDATA _IOW('X', 110, struct grow_xfs_growfs_data)

/* ext4's online resize request: the new block count as a __u64. */
#define GROW_EXT4_IOC_RESIZE_FS _IOW('f', 16, __u64)

_Static_assert(sizeof(struct grow_xfs_geom_v1) == 112,
	       "xfs geometry v1 layout");
_Static_assert(sizeof(struct grow_xfs_growfs_data) == 16,
	       "xfs growfs data layout");

/* "size" files hold a sector count; anything longer than this is wrong. */
#define GROW_SIZE_TEXT_MAX 32

enum grow_fs_type {
	GROW_FS_XFS,
	GROW_FS_EXT4,
};

/* What grow_check() learns about a filesystem before deciding. */
struct grow_fs {
	enum grow_fs_type type;
	uint32_t blocksize;
	uint64_t blocks;	/* exact for XFS, a lower bound for ext4 */
	uint32_t imaxpct;	/* XFS only: passed back unchanged */
	uint64_t df_bytes;
};

int grow_parse_sectors(const char *text, uint64_t *bytes)
{
	unsigned long long sectors;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	sectors = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end == '\n')
		end++;
	if (*end != '\0')
		return -EINVAL;
	if (sectors > UINT64_MAX / 512)
		return -ERANGE;
	*bytes = (uint64_t)sectors * 512;
	return 0;
}

int grow_device_bytes(const char *sysfs, dev_t dev, uint64_t *bytes)
{
	char path[256];
	char text[GROW_SIZE_TEXT_MAX + 1];
	ssize_t n;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/size", sysfs,
		 major(dev), minor(dev));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	n = read(fd, text, sizeof(text));
	if (n < 0) {
		rc = -errno;
		goto out_close;
	}
	/* A full buffer means the file is longer than any sector count. */
	if (n == 0 || n > GROW_SIZE_TEXT_MAX) {
		rc = -EINVAL;
		goto out_close;
	}
	text[n] = '\0';
	rc = grow_parse_sectors(text, bytes);
out_close:
	close(fd);
	return rc;
}

enum grow_action grow_decide(const struct grow_state *st, uint64_t dev_bytes,
			     uint32_t blocksize, uint64_t fs_blocks,
			     bool exact, uint64_t *new_blocks)
{
	uint64_t blocks;

	if (blocksize == 0 || dev_bytes == st->seen_bytes)
		return GROW_NOTHING;
	blocks = dev_bytes / blocksize;
	if (blocks < fs_blocks)
		return GROW_SHRUNK;
	if (exact && blocks == fs_blocks)
		return GROW_NOTHING;
	*new_blocks = blocks;
	return GROW_EXTEND;
}

/* Type, block size and size of the filesystem fd is on. */
static int grow_probe(int fd, const char *path, struct grow_fs *fs,
		      char *msg, size_t msglen)
{
	struct grow_xfs_geom_v1 geo;
	struct statfs sfs;

	int rc;

	if (fstatfs(fd, &sfs) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "cannot read the filesystem of '%s': %s",
			 path, strerror(-rc));
		return rc;
	}
	fs->df_bytes = (uint64_t)sfs.f_blocks * (uint64_t)sfs.f_frsize;
	switch ((unsigned long)sfs.f_type) {
	case XFS_SUPER_MAGIC:
		memset(&geo, 0, sizeof(geo));
		if (ioctl(fd, GROW_XFS_IOC_FSGEOMETRY_V1, &geo) < 0) {
			rc = -errno;
			snprintf(msg, msglen, "cannot read the xfs geometry of '%s': %s",
				 path, strerror(-rc));
			return rc;
		}
		fs->type = GROW_FS_XFS;
		fs->blocksize = geo.blocksize;
		fs->blocks = geo.datablocks;
		fs->imaxpct = geo.imaxpct;
		break;
	case EXT4_SUPER_MAGIC:
		fs->type = GROW_FS_EXT4;
		fs->blocksize = (uint32_t)sfs.f_bsize;
		fs->blocks = sfs.f_blocks;
		fs->imaxpct = 0;
		break;
	default:
		snprintf(msg, msglen, "'%s' is neither on xfs nor on ext4: cannot grow it online",
			 path);
		return -EOPNOTSUPP;
	}
	if (fs->blocksize == 0) {
		snprintf(msg, msglen, "'%s' reports a block size of 0", path);
		return -EINVAL;
	}
	return 0;
}

/* Size of the block device under fd's filesystem, via sysfs. */
static int grow_find_device(int fd, const char *path, uint64_t *bytes,
			    char *msg, size_t msglen)
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "cannot stat '%s': %s", path,
			 strerror(-rc));
		return rc;
	}
	rc = grow_device_bytes(GROW_SYSFS, st.st_dev, bytes);
	if (rc < 0)
		snprintf(msg, msglen, "cannot find the block device under '%s' (%u:%u in %s/dev/block): %s",
			 path, major(st.st_dev), minor(st.st_dev), GROW_SYSFS,
			 strerror(-rc));
	return rc;
}

/* The kernel's answer, with what usually causes it, for the message. */
static const char *grow_hint(enum grow_fs_type type, int rc)
{
	switch (rc) {
	case -EPERM:
		return type == GROW_FS_XFS ?
			"homequotad needs CAP_SYS_ADMIN" :
			"homequotad needs CAP_SYS_RESOURCE, or the filesystem has errors: see the kernel log";
	case -EROFS:
		return "mounted read-only";
	case -EBUSY:
	case -EAGAIN:
		return "another resize is running: retried at the next check";
	default:
		return "see the kernel log";
	}
}

/* Asks the kernel to grow fd's filesystem to blocks; 0 or -errno. */
static int grow_extend(int fd, const struct grow_fs *fs, uint64_t blocks)
{
	struct grow_xfs_growfs_data in;
	__u64 count = blocks;
	int rc;

	if (fs->type == GROW_FS_XFS) {
		memset(&in, 0, sizeof(in));
		in.newblocks = blocks;
		/* Anything else would also change the inode space limit. */
		in.imaxpct = fs->imaxpct;
		rc = ioctl(fd, GROW_XFS_IOC_FSGROWFSDATA, &in);
	} else {
		rc = ioctl(fd, GROW_EXT4_IOC_RESIZE_FS, &count);
	}
	return rc < 0 ? -errno : 0;
}

/* Failures worth trying again at the next check with the same device. */
static bool grow_is_transient(int rc)
{
	return rc == -EBUSY || rc == -EAGAIN || rc == -EINTR ||
	       rc == -ENOMEM;
}

/* The filesystem size as df shows it, after a resize. */
static int grow_df_bytes(int fd, uint64_t *bytes)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	*bytes = (uint64_t)sfs.f_blocks * (uint64_t)sfs.f_frsize;
	return 0;
}

/* One line about a finished growth, or about a refused one. */
static void grow_describe(const char *path, const struct grow_fs *fs,
			  const struct grow_result *res, int rc,
			  char *msg, size_t msglen)
{
	char old[SIZE_FMT_LEN], new[SIZE_FMT_LEN], dev[SIZE_FMT_LEN];
	uint64_t fs_bytes = fs->blocks * fs->blocksize;

	size_format(res->old_bytes, old, sizeof(old));
	size_format(res->new_bytes, new, sizeof(new));
	size_format(res->dev_bytes, dev, sizeof(dev));
	if (rc == -ERANGE)
		snprintf(msg, msglen, "'%s' is larger than its device (%" PRIu64 " > %" PRIu64 " bytes): the device shrank and a filesystem cannot follow; give the disk back its size",
			 path, fs_bytes, res->dev_bytes);
	else if (rc < 0)
		snprintf(msg, msglen, "cannot grow '%s' to fill its %s device: %s (%s)",
			 path, dev, strerror(-rc), grow_hint(fs->type, rc));
	else
		snprintf(msg, msglen, "'%s' grew from %s to %s (%" PRIu64 " to %" PRIu64 " bytes) on a %s device",
			 path, old, new, res->old_bytes, res->new_bytes, dev);
}

int grow_check(struct grow_state *st, int fd, const char *path,
	       struct grow_result *res, char *msg, size_t msglen)
{
	struct grow_fs fs;
	uint64_t blocks = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	msg[0] = '\0';
	rc = grow_probe(fd, path, &fs, msg, msglen);
	if (rc < 0)
		return rc;
	rc = grow_find_device(fd, path, &res->dev_bytes, msg, msglen);
	if (rc < 0)
		return rc;
	res->old_bytes = fs.df_bytes;
	res->new_bytes = fs.df_bytes;

	switch (grow_decide(st, res->dev_bytes, fs.blocksize, fs.blocks,
			    fs.type == GROW_FS_XFS, &blocks)) {
	case GROW_NOTHING:
		st->seen_bytes = res->dev_bytes;
		return 0;
	case GROW_SHRUNK:
		st->seen_bytes = res->dev_bytes;
		grow_describe(path, &fs, res, -ERANGE, msg, msglen);
		return -ERANGE;
	case GROW_EXTEND:
		break;
	}

	rc = grow_extend(fd, &fs, blocks);
	if (rc < 0) {
		if (!grow_is_transient(rc))
			st->seen_bytes = res->dev_bytes;
		grow_describe(path, &fs, res, rc, msg, msglen);
		return rc;
	}
	st->seen_bytes = res->dev_bytes;
	if (grow_df_bytes(fd, &res->new_bytes) < 0)
		res->new_bytes = res->old_bytes;
	res->grew = res->new_bytes > res->old_bytes;
	if (res->grew)
		grow_describe(path, &fs, res, 0, msg, msglen);
	return 0;
}
