/*
 * vmtool: small helpers for the VM scenarios, where only busybox exists.
 *
 *   vmtool fill [--uid N] FILE MAXBYTES
 *	Appends zeros to FILE (as uid/gid N when given) until MAXBYTES are
 *	written or the kernel refuses, then fsyncs and closes.  Prints
 *	"written=BYTES error=NAME" where NAME is the errno's symbolic name
 *	(ENOSPC, EDQUOT, ...) or "none".
 *
 *   vmtool projid PATH
 *	Prints the project ID of PATH and "inherit" or "noinherit".
 *
 *   vmtool mkdeep DIR DEPTH
 *	Creates a chain of DEPTH nested directories "d" under DIR, using
 *	descriptors so that no path grows beyond PATH_MAX, with one small
 *	file in the deepest.
 *
 *   vmtool mkfiles DIR COUNT [FANOUT]
 *	Creates COUNT empty files spread over subdirectories of DIR, at most
 *	FANOUT (default 1000) per directory.
 *
 *   vmtool mkhome PATH TIMEOUT_MS
 *	Creates the directory PATH and polls every millisecond until it has a
 *	project ID with PROJINHERIT and that project has a block hard limit.
 *	Prints "ready_us=MICROSECONDS id=ID hard_kib=LIMIT", or fails after
 *	TIMEOUT_MS.
 *
 *   vmtool treecheck DIR ID
 *	Walks DIR (no symlinks followed, no other filesystem entered) and counts the directories and
 *	regular files whose project ID is not ID, or directories without
 *	PROJINHERIT.  Prints "checked=N wrong=M".
 *
 *   vmtool mkdirs DIR COUNT PREFIX
 *	Creates the directories DIR/PREFIX0 .. DIR/PREFIX<COUNT-1>.
 *
 *   vmtool timeit CMD [ARG...]
 *	Runs CMD with its output thrown away and prints "elapsed_us=N" and
 *	its exit status as "status=N".
 *
 * Exit status: 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <linux/quota.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "none";
	case ENOSPC: return "ENOSPC";
	case EDQUOT: return "EDQUOT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EIO: return "EIO";
	case EFBIG: return "EFBIG";
	case EROFS: return "EROFS";
	default: return strerror(e);
	}
}

static void die(const char *what)
{
	fprintf(stderr, "vmtool: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void become(const char *uid)
{
	unsigned long id = strtoul(uid, NULL, 10);

	if (setgroups(0, NULL) || setgid((gid_t)id) || setuid((uid_t)id))
		die("cannot drop privileges");
}

static int cmd_fill(int argc, char **argv)
{
	static char buf[64 * 1024];
	unsigned long long max, written = 0;
	int fd, err = 0;

	if (argc >= 3 && strcmp(argv[1], "--uid") == 0) {
		become(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc != 3)
		return fprintf(stderr, "usage: vmtool fill [--uid N] FILE MAX\n"), 1;
	max = strtoull(argv[2], NULL, 10);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0) {
		/* A full project can refuse the new inode itself. */
		printf("written=0 error=%s\n", errno_name(errno));
		return 0;
	}
	while (written < max) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (max - written < want)
			want = (size_t)(max - written);
		n = write(fd, buf, want);
		if (n < 0) {
			err = errno;
			break;
		}
		written += (unsigned long long)n;
	}
	if (fsync(fd) && !err)
		err = errno;
	if (close(fd) && !err)
		err = errno;
	printf("written=%llu error=%s\n", written, errno_name(err));
	return 0;
}

static int cmd_projid(int argc, char **argv)
{
	struct fsxattr fsx;
	int fd;

	if (argc != 2)
		return fprintf(stderr, "usage: vmtool projid PATH\n"), 1;
	fd = open(argv[1], O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		die(argv[1]);
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx))
		die("FS_IOC_FSGETXATTR");
	printf("%u %s\n", fsx.fsx_projid,
	       (fsx.fsx_xflags & FS_XFLAG_PROJINHERIT) ? "inherit" : "noinherit");
	close(fd);
	return 0;
}

static int cmd_mkdeep(int argc, char **argv)
{
	long depth;
	int fd, next;

	if (argc != 3)
		return fprintf(stderr, "usage: vmtool mkdeep DIR DEPTH\n"), 1;
	depth = strtol(argv[2], NULL, 10);
	fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		die(argv[1]);
	for (long i = 0; i < depth; i++) {
		if (mkdirat(fd, "d", 0755) && errno != EEXIST)
			die("mkdirat");
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (next < 0)
			die("openat");
		close(fd);
		fd = next;
	}
	next = openat(fd, "leaf", O_WRONLY | O_CREAT, 0644);
	if (next < 0 || write(next, "x", 1) != 1)
		die("leaf");
	close(next);
	close(fd);
	return 0;
}

static int cmd_mkfiles(int argc, char **argv)
{
	long count, fanout = 1000;
	char name[64];
	int dfd = -1, top;

	if (argc != 3 && argc != 4)
		return fprintf(stderr, "usage: vmtool mkfiles DIR N [FANOUT]\n"), 1;
	count = strtol(argv[2], NULL, 10);
	if (argc == 4)
		fanout = strtol(argv[3], NULL, 10);
	top = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (top < 0)
		die(argv[1]);
	for (long i = 0; i < count; i++) {
		if (i % fanout == 0) {
			if (dfd >= 0)
				close(dfd);
			snprintf(name, sizeof(name), "sub%ld", i / fanout);
			if (mkdirat(top, name, 0755) && errno != EEXIST)
				die("mkdirat");
			dfd = openat(top, name, O_RDONLY | O_DIRECTORY);
			if (dfd < 0)
				die("openat");
		}
		snprintf(name, sizeof(name), "f%ld", i);
		int fd = openat(dfd, name, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			die("create");
		close(fd);
	}
	if (dfd >= 0)
		close(dfd);
	close(top);
	return 0;
}

static int get_projid(int fd, unsigned *id, int *inherit)
{
	struct fsxattr fsx;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx))
		return -1;
	*id = fsx.fsx_projid;
	*inherit = !!(fsx.fsx_xflags & FS_XFLAG_PROJINHERIT);
	return 0;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int cmd_mkhome(int argc, char **argv)
{
	struct if_dqblk dq;
	long long start, limit;
	unsigned id;
	int fd, inherit;

	if (argc != 3)
		return fprintf(stderr, "usage: vmtool mkhome PATH TIMEOUT_MS\n"), 1;
	limit = strtoll(argv[2], NULL, 10) * 1000;
	start = now_us();
	if (mkdir(argv[1], 0755))
		die(argv[1]);
	fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		die(argv[1]);
	while (now_us() - start < limit) {
		if (get_projid(fd, &id, &inherit) == 0 && id && inherit &&
		    syscall(SYS_quotactl_fd, fd, QCMD(Q_GETQUOTA, PRJQUOTA),
			    id, &dq) == 0 && dq.dqb_bhardlimit) {
			printf("ready_us=%lld id=%u hard_kib=%llu\n",
			       now_us() - start, id,
			       (unsigned long long)dq.dqb_bhardlimit);
			return 0;
		}
		usleep(1000);
	}
	fprintf(stderr, "vmtool: %s: no project and limit after %s ms\n",
		argv[1], argv[2]);
	return 1;
}

struct tree_count {
	unsigned long long checked, wrong;
	dev_t dev;
};

static void tree_check(int dfd, unsigned want, struct tree_count *c)
{
	struct dirent *de;
	struct stat st;
	unsigned id;
	int inherit;
	DIR *d;

	c->checked++;
	if (get_projid(dfd, &id, &inherit) || id != want || !inherit)
		c->wrong++;
	d = fdopendir(dfd);
	if (!d)
		die("fdopendir");
	while ((de = readdir(d))) {
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_REG)
			continue;
		fd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0)
			die(de->d_name);
		if (fstat(fd, &st))
			die("fstat");
		if (st.st_dev != c->dev) {
			close(fd);
			continue;
		}
		if (de->d_type == DT_DIR) {
			tree_check(fd, want, c);
			continue;
		}
		c->checked++;
		if (get_projid(fd, &id, &inherit) || id != want)
			c->wrong++;
		close(fd);
	}
	closedir(d);
}

static int cmd_treecheck(int argc, char **argv)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	struct tree_count c = { 0, 0, 0 };
	struct stat st;
	int fd;

	if (argc != 3)
		return fprintf(stderr, "usage: vmtool treecheck DIR ID\n"), 1;
	setrlimit(RLIMIT_NOFILE, &rl);
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st))
		die(argv[1]);
	c.dev = st.st_dev;
	tree_check(fd, (unsigned)strtoul(argv[2], NULL, 10), &c);
	printf("checked=%llu wrong=%llu\n", c.checked, c.wrong);
	return 0;
}

static int cmd_mkdirs(int argc, char **argv)
{
	char name[256];
	long count;
	int dfd;

	if (argc != 4)
		return fprintf(stderr, "usage: vmtool mkdirs DIR N PREFIX\n"), 1;
	count = strtol(argv[2], NULL, 10);
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		die(argv[1]);
	for (long i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s%ld", argv[3], i);
		if (mkdirat(dfd, name, 0755))
			die(name);
	}
	close(dfd);
	return 0;
}

static int cmd_timeit(int argc, char **argv)
{
	long long start;
	int status;
	pid_t pid;

	if (argc < 2)
		return fprintf(stderr, "usage: vmtool timeit CMD [ARG...]\n"), 1;
	start = now_us();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	printf("elapsed_us=%lld status=%d\n", now_us() - start,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "fill") == 0)
		return cmd_fill(argc - 1, argv + 1);
	if (strcmp(argv[1], "projid") == 0)
		return cmd_projid(argc - 1, argv + 1);
	if (strcmp(argv[1], "mkdeep") == 0)
		return cmd_mkdeep(argc - 1, argv + 1);
	if (strcmp(argv[1], "mkfiles") == 0)
		return cmd_mkfiles(argc - 1, argv + 1);
	if (strcmp(argv[1], "mkhome") == 0)
		return cmd_mkhome(argc - 1, argv + 1);
	if (strcmp(argv[1], "treecheck") == 0)
		return cmd_treecheck(argc - 1, argv + 1);
	if (strcmp(argv[1], "mkdirs") == 0)
		return cmd_mkdirs(argc - 1, argv + 1);
	if (strcmp(argv[1], "timeit") == 0)
		return cmd_timeit(argc - 1, argv + 1);
usage:
	fprintf(stderr, "usage: vmtool fill|projid|mkdeep|mkfiles|mkhome|treecheck|mkdirs|timeit ...\n");
	return 1;
}
