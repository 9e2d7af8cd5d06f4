/*
 * The kernel's notice that a block device changed size.  When a disk is
 * enlarged (a cloud volume resized, a loop device refreshed with
 * losetup -c), the kernel sends a "change" uevent with RESIZE=1 for it on
 * the NETLINK_KOBJECT_UEVENT socket.  Listening lets homequotad grow a
 * filesystem at once instead of at the next resize_interval; the interval
 * stays as the safety net for containers where no uevent arrives.
 */
#ifndef HOMENFS_UEVENT_H
#define HOMENFS_UEVENT_H

#include <stdbool.h>
#include <stddef.h>

/* A non-blocking socket for kernel uevents, or a negative errno. */
int uevent_open(void);

/*
 * Reads every pending message on fd; true when one of them says a block
 * device changed size.
 */
bool uevent_read_resize(int fd);

/* Whether one message (NUL-separated fields) announces a resize. */
bool uevent_is_resize(const char *msg, size_t len);

#endif
