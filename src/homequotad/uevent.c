#include "uevent.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int uevent_open(void)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,		/* the kernel's own broadcast group */
	};
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/*
 * A kernel message is "ACTION@DEVPATH" followed by KEY=VALUE fields, each
 * ended by a NUL.  Messages from udev (which start with "libudev") never
 * reach the kernel's group, and are ignored here all the same.
 */
bool uevent_is_resize(const char *msg, size_t len)
{
	bool change = false, block = false, resize = false;
	size_t i = 0;

	if (len < 7 || strncmp(msg, "change@", 7) != 0)
		return false;
	while (i < len) {
		const char *field = msg + i;
		size_t n = strnlen(field, len - i);

		if (n == 13 && memcmp(field, "ACTION=change", 13) == 0)
			change = true;
		else if (n == 15 && memcmp(field, "SUBSYSTEM=block", 15) == 0)
			block = true;
		else if (n == 8 && memcmp(field, "RESIZE=1", 8) == 0)
			resize = true;
		i += n + 1;
	}
	return change && block && resize;
}

bool uevent_read_resize(int fd)
{
	char buf[8192];
	bool resize = false;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (uevent_is_resize(buf, (size_t)n))
			resize = true;
	}
	return resize;
}
