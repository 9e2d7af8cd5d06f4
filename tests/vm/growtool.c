/*
 * growtool: runs homequotad's online growth check (src/homequotad/grow.c)
 * on one path, for the VM scenarios.
 *
 *   growtool PATH [TIMES]
 *	Calls grow_check() TIMES times (default 1) on PATH, keeping one
 *	state between the calls as homequotad does between intervals, and
 *	prints one line per call:
 *	"rc=ERRNO grew=0|1 old=BYTES new=BYTES dev=BYTES" where ERRNO is 0
 *	or the errno's number, followed by the message line when there is
 *	one.
 *
 * Exit status: 0 when every call returned 0, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/homequotad/grow.h"

int main(int argc, char **argv)
{
	struct grow_state st = { 0 };
	struct grow_result res;
	char msg[512];
	int fd, rc, times = 1, failed = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: growtool PATH [TIMES]\n");
		return 1;
	}
	if (argc == 3)
		times = atoi(argv[2]);
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "growtool: cannot open '%s': %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	while (times-- > 0) {
		rc = grow_check(&st, fd, argv[1], &res, msg, sizeof(msg));
		printf("rc=%d grew=%d old=%" PRIu64 " new=%" PRIu64 " dev=%" PRIu64 "\n",
		       -rc, res.grew, res.old_bytes, res.new_bytes,
		       res.dev_bytes);
		if (msg[0])
			printf("%s\n", msg);
		if (rc < 0)
			failed = 1;
	}
	close(fd);
	return failed;
}
