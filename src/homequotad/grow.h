/*
 * Online growth of a base path's filesystem when the block device under it
 * has been enlarged (a cloud disk resized by an operator, a loop device
 * after `losetup -c`).  XFS and ext4 only, never shrinking.
 *
 * The device is found without a device node, which containers often lack:
 * the filesystem's st_dev names /sys/dev/block/MAJ:MIN, whose "size" file
 * counts 512-byte sectors.
 */
#ifndef HOMENFS_GROW_H
#define HOMENFS_GROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GROW_SYSFS "/sys"

/*
 * What one base path remembers between checks: the device size at the
 * last check that finished (grew, had nothing to do, or failed in a way a
 * retry would not change).  Until the device size changes again nothing
 * is tried, so a refusal is reported once, not at every interval, and
 * ext4, whose exact size cannot be read without the device, is not asked
 * to resize over and over.  Zero it before the first check.
 */
struct grow_state {
	uint64_t seen_bytes;
};

struct grow_result {
	uint64_t dev_bytes;	/* size of the block device */
	uint64_t old_bytes;	/* filesystem size before, as df shows it */
	uint64_t new_bytes;	/* and after; equal to old_bytes unless grew */
	bool grew;
};

/*
 * Checks the filesystem that fd (an O_RDONLY descriptor of a directory on
 * it, not O_PATH: the kernel takes the resize requests as ioctls on it)
 * lives on, and when its block device is larger than the filesystem grows
 * the filesystem online to fill it.  Needs CAP_SYS_ADMIN (XFS) or
 * CAP_SYS_RESOURCE (ext4).  path is used in messages only.
 *
 * Returns 0 when the filesystem grew or there was nothing to do (see
 * res->grew); when it grew, msg holds one line to log, otherwise msg is
 * empty.  Returns a negative errno with one line in msg when the device
 * cannot be found, is smaller than the filesystem (-ERANGE), the
 * filesystem is neither XFS nor ext4 (-EOPNOTSUPP), or the kernel refused.
 */
int grow_check(struct grow_state *st, int fd, const char *path,
	       struct grow_result *res, char *msg, size_t msglen);

/* What grow_decide() tells grow_check() to do. */
enum grow_action {
	GROW_NOTHING,	/* device unchanged since last time, or already filled */
	GROW_EXTEND,	/* grow the filesystem to *new_blocks */
	GROW_SHRUNK,	/* the device is smaller than the filesystem */
};

/*
 * The growth decision on numbers alone.  fs_blocks is the filesystem size
 * in blocks of blocksize bytes: exact when exact is set (XFS reads it from
 * its geometry), otherwise a lower bound (ext4's statfs leaves out its
 * metadata overhead), in which case a device that is not smaller than the
 * bound is handed to the kernel, which knows the true size.  *new_blocks is
 * set for GROW_EXTEND: the whole blocks that fit on the device.
 */
enum grow_action grow_decide(const struct grow_state *st, uint64_t dev_bytes,
			     uint32_t blocksize, uint64_t fs_blocks,
			     bool exact, uint64_t *new_blocks);

/*
 * Size in bytes of the block device dev, read from
 * SYSFS/dev/block/MAJ:MIN/size.  0, -ENODEV for a device without a sysfs
 * entry (not a block device), -EINVAL for unreadable contents, or another
 * negative errno.
 */
int grow_device_bytes(const char *sysfs, dev_t dev, uint64_t *bytes);

/*
 * Parses the contents of a sysfs "size" file (a decimal count of 512-byte
 * sectors and a newline) into bytes.  0, -EINVAL or -ERANGE.
 */
int grow_parse_sectors(const char *text, uint64_t *bytes);

#endif
