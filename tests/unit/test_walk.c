/*
 * Tests of the adoption tree walker on real directory trees under /tmp.
 * Trees are built and removed only through directory descriptors, since
 * the deep one is far beyond PATH_MAX.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../src/homequotad/walk.h"

#define DEEP_LEVELS 20000
#define WIDE_FILES 5000
#define WIDE_SUBDIRS 50
/* Far more than any test needs: a walk going in circles fails, not hangs. */
#define WALK_MAX_STEPS 100000
#define WALK_MAX_CALLS 100000

struct tmpdir {
	char path[64];
	int fd;
};

/* Number of descriptors this process has open right now. */
static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the one reading /proc/self/fd */
}

static void tmp_make(struct tmpdir *t)
{
	strcpy(t->path, "/tmp/homenfs-walk.XXXXXX");
	assert_non_null(mkdtemp(t->path));
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->fd >= 0);
}

/*
 * Reads the directory at cur once, removing files and empty directories.
 * Returns a descriptor on the first non-empty subdirectory, or -1 with
 * *removed telling whether anything went.
 */
static int tree_scan(int cur, bool *removed)
{
	DIR *d = fdopendir(openat(cur, ".", O_RDONLY | O_DIRECTORY));
	struct dirent *de;
	struct stat st;
	int sub = -1;

	assert_non_null(d);
	*removed = false;
	while (sub < 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		assert_int_equal(fstatat(cur, de->d_name, &st,
					 AT_SYMLINK_NOFOLLOW), 0);
		if (!S_ISDIR(st.st_mode)) {
			assert_int_equal(unlinkat(cur, de->d_name, 0), 0);
			*removed = true;
		} else if (unlinkat(cur, de->d_name, AT_REMOVEDIR) == 0) {
			*removed = true;
		} else {
			sub = openat(cur, de->d_name, O_RDONLY | O_DIRECTORY |
				     O_NOFOLLOW);
			assert_true(sub >= 0);
		}
	}
	closedir(d);
	return sub;
}

/*
 * Empties the tree under topfd without recursion or path strings: go down
 * into the first non-empty directory, climb back through ".." once a
 * directory is empty, and let the parent's next scan remove it.
 */
static void tree_empty(int topfd)
{
	struct stat top, st;
	bool removed;
	int cur, sub, up;

	assert_int_equal(fstat(topfd, &top), 0);
	cur = openat(topfd, ".", O_RDONLY | O_DIRECTORY);
	assert_true(cur >= 0);
	for (;;) {
		do
			sub = tree_scan(cur, &removed);
		while (sub < 0 && removed);
		if (sub >= 0) {
			close(cur);
			cur = sub;
			continue;
		}
		assert_int_equal(fstat(cur, &st), 0);
		if (st.st_ino == top.st_ino && st.st_dev == top.st_dev)
			break;
		up = openat(cur, "..", O_RDONLY | O_DIRECTORY);
		assert_true(up >= 0);
		close(cur);
		cur = up;
	}
	close(cur);
}

static void tmp_remove(struct tmpdir *t)
{
	tree_empty(t->fd);
	close(t->fd);
	assert_int_equal(rmdir(t->path), 0);
}

static int mkdir_open(int dfd, const char *name)
{
	int fd;

	assert_int_equal(mkdirat(dfd, name, 0755), 0);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static void touch(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);

	assert_true(fd >= 0);
	close(fd);
}

/* Runs a walk to its end in steps of budget entries; returns the steps. */
static unsigned walk_all(struct walk *w, unsigned budget)
{
	unsigned steps = 0;
	int rc;

	while ((rc = walk_step(w, budget)) == 1) {
		steps++;
		assert_true(steps < WALK_MAX_STEPS);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(walk_step(w, budget), 0);
	return steps + 1;
}

/* What a walk saw, for the callbacks below. */
struct seen {
	unsigned calls;
	unsigned negative_fds;
	unsigned f1_visits;
	unsigned root_visits;
	unsigned stop_after;
	unsigned *by_depth;	/* deep test: dirs named "d" per depth */
	unsigned char *by_index;	/* wide tests: files "fNNNNN" */
	const char **names;	/* odd names test */
	unsigned *name_hits;
	size_t nnames;
	int max_fds;
	int err_seen;
	int moved_from, moved_to;
};

static int seen_fn(int fd, const struct stat *st, const char *name,
		   unsigned depth, void *arg)
{
	struct seen *s = arg;
	size_t i;

	s->calls++;
	assert_true(s->calls < WALK_MAX_CALLS);
	if (fd < 0) {
		s->negative_fds++;
		assert_false(S_ISDIR(st->st_mode) || S_ISREG(st->st_mode));
	} else {
		struct stat fst;

		assert_int_equal(fstat(fd, &fst), 0);
		assert_int_equal(fst.st_ino, st->st_ino);
	}
	if (depth == 0) {
		s->root_visits++;
		assert_int_equal(s->calls, 1);
		assert_string_equal(name, ".");
	}
	if (!strcmp(name, "f1"))
		s->f1_visits++;
	if (s->by_depth && !strcmp(name, "d")) {
		s->by_depth[depth]++;
		if (depth % 2500 == 0) {
			int n = fd_count();

			if (n > s->max_fds)
				s->max_fds = n;
		}
	}
	if (s->by_index && name[0] == 'f' && S_ISREG(st->st_mode))
		s->by_index[strtoul(name + 1, NULL, 10)]++;
	for (i = 0; i < s->nnames; i++)
		if (!strcmp(name, s->names[i]))
			s->name_hits[i]++;
	if (s->moved_from >= 0 && !strcmp(name, "x1")) {
		assert_int_equal(renameat(s->moved_from, "b", s->moved_to,
					  "moved"), 0);
		s->moved_from = -1;
	}
	if (s->stop_after && s->calls == s->stop_after)
		return -ECANCELED;
	return 0;
}

static void seen_err(const char *name, unsigned depth, int err, void *arg)
{
	struct seen *s = arg;

	s->err_seen = err;
}

static void seen_init(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->moved_from = -1;
}

/* Files, directories and unopened entries are each counted and typed. */
static void test_walk_counts(void **state)
{
	const struct walk_stats *st;
	struct tmpdir t;
	struct walk *w;
	struct seen s;
	int a, sub;
	unsigned others = 4;

	tmp_make(&t);
	a = mkdir_open(t.fd, "a");
	touch(a, "f1");
	touch(a, "f2");
	sub = mkdir_open(a, "sub");
	touch(sub, "f3");
	touch(t.fd, "file1");
	assert_int_equal(symlinkat("a", t.fd, "link_dir"), 0);
	assert_int_equal(symlinkat("a/f1", t.fd, "link_file"), 0);
	assert_int_equal(symlinkat("nowhere", t.fd, "dangling"), 0);
	assert_int_equal(mkfifoat(t.fd, "fifo", 0644), 0);
	if (mknodat(t.fd, "null", S_IFCHR | 0600, makedev(1, 3)) == 0)
		others++;
	close(sub);
	close(a);

	seen_init(&s);
	assert_int_equal(walk_open(&w, t.fd, 4, seen_fn, seen_err, &s), 0);
	walk_all(w, 100);
	st = walk_stats(w);
	assert_int_equal(st->dirs, 3);
	assert_int_equal(st->files, 4);
	assert_int_equal(st->others, others);
	assert_int_equal(st->errors, 0);
	assert_int_equal(st->raced, 0);
	assert_int_equal(st->skipped_mounts, 0);
	assert_int_equal(st->max_depth, 3);
	assert_int_equal(s.negative_fds, others);
	assert_int_equal(s.f1_visits, 1);
	assert_int_equal(s.root_visits, 1);
	assert_int_equal(s.calls, 3 + 4 + others);
	walk_close(w);
	tmp_remove(&t);
}

/* A chain deeper than any path, with few streams, is walked exactly once. */
static void test_walk_deep(void **state)
{
	struct tmpdir t;
	struct walk *w;
	struct seen s;
	int fd, next, base;
	unsigned i;

	tmp_make(&t);
	fd = openat(t.fd, ".", O_RDONLY | O_DIRECTORY);
	for (i = 0; i < DEEP_LEVELS; i++) {
		next = mkdir_open(fd, "d");
		close(fd);
		fd = next;
	}
	close(fd);

	seen_init(&s);
	s.by_depth = calloc(DEEP_LEVELS + 2, sizeof(*s.by_depth));
	assert_non_null(s.by_depth);
	base = fd_count();
	assert_int_equal(walk_open(&w, t.fd, 8, seen_fn, NULL, &s), 0);
	walk_all(w, 1000);
	for (i = 1; i <= DEEP_LEVELS; i++)
		assert_int_equal(s.by_depth[i], 1);
	assert_int_equal(s.by_depth[DEEP_LEVELS + 1], 0);
	assert_int_equal(walk_stats(w)->max_depth, DEEP_LEVELS);
	assert_int_equal(walk_stats(w)->dirs, DEEP_LEVELS + 1);
	assert_int_equal(walk_stats(w)->errors, 0);
	/* 8 streams, the pin, and the entry being handled */
	assert_true(s.max_fds <= base + 8 + 2);
	walk_close(w);
	assert_int_equal(fd_count(), base);
	free(s.by_depth);
	tmp_remove(&t);
}

/* Fills dfd with WIDE_FILES files "fNNNNN". */
static void make_wide(int dfd)
{
	char name[16];
	unsigned i;

	for (i = 0; i < WIDE_FILES; i++) {
		snprintf(name, sizeof(name), "f%05u", i);
		touch(dfd, name);
	}
}

static void check_wide(const struct seen *s, unsigned copies)
{
	unsigned i;

	for (i = 0; i < WIDE_FILES; i++)
		assert_int_equal(s->by_index[i], copies);
}

/* Small budgets resume exactly where the last step stopped. */
static void test_walk_wide_budget(void **state)
{
	struct tmpdir t;
	struct walk *w;
	struct seen s;
	unsigned steps;

	tmp_make(&t);
	make_wide(t.fd);
	seen_init(&s);
	s.by_index = calloc(WIDE_FILES, 1);
	assert_non_null(s.by_index);
	assert_int_equal(walk_open(&w, t.fd, 8, seen_fn, NULL, &s), 0);
	steps = walk_all(w, 7);
	assert_true(steps >= WIDE_FILES / 7);
	check_wide(&s, 1);
	assert_int_equal(walk_stats(w)->files, WIDE_FILES);
	walk_close(w);
	free(s.by_index);
	tmp_remove(&t);
}

/*
 * With one stream, every descent closes the wide directory and every
 * return reopens it through ".." and seeks back: still each entry once.
 */
static void test_walk_wide_reopen(void **state)
{
	struct tmpdir t;
	struct walk *w;
	struct seen s;
	char name[16];
	unsigned i;
	int sub;

	tmp_make(&t);
	make_wide(t.fd);
	for (i = 0; i < WIDE_SUBDIRS; i++) {
		snprintf(name, sizeof(name), "sub%02u", i);
		sub = mkdir_open(t.fd, name);
		touch(sub, "x");
		close(mkdir_open(sub, "deeper"));
		close(sub);
	}
	seen_init(&s);
	s.by_index = calloc(WIDE_FILES, 1);
	assert_non_null(s.by_index);
	assert_int_equal(walk_open(&w, t.fd, 1, seen_fn, NULL, &s), 0);
	walk_all(w, 7);
	check_wide(&s, 1);
	assert_int_equal(walk_stats(w)->files, WIDE_FILES + WIDE_SUBDIRS);
	assert_int_equal(walk_stats(w)->dirs, 1 + 2 * WIDE_SUBDIRS);
	assert_int_equal(walk_stats(w)->errors, 0);
	walk_close(w);
	free(s.by_index);
	tmp_remove(&t);
}

/* Closing a walk halfway leaves no descriptor behind. */
static void test_walk_close_midway(void **state)
{
	struct tmpdir t;
	struct walk *w;
	struct seen s;
	int fd, next, base;
	unsigned i;

	tmp_make(&t);
	fd = openat(t.fd, ".", O_RDONLY | O_DIRECTORY);
	for (i = 0; i < 20; i++) {
		touch(fd, "f");
		next = mkdir_open(fd, "d");
		close(fd);
		fd = next;
	}
	close(fd);

	seen_init(&s);
	base = fd_count();
	assert_int_equal(walk_open(&w, t.fd, 4, seen_fn, NULL, &s), 0);
	assert_int_equal(walk_step(w, 15), 1);
	assert_true(fd_count() > base);
	walk_close(w);
	assert_int_equal(fd_count(), base);
	tmp_remove(&t);
}

/* Names are passed as raw bytes, whatever they contain. */
static void test_walk_odd_names(void **state)
{
	static const char *names[] = {
		"with space", "co:lon", "new\nline", "\xff\xfe", "tab\there",
		"#hash", "back\\slash", "caf\xc3\xa9",
	};
	unsigned hits[sizeof(names) / sizeof(names[0])] = { 0 };
	struct tmpdir t;
	struct walk *w;
	struct seen s;
	size_t i;
	int d;

	tmp_make(&t);
	d = mkdir_open(t.fd, "dir:\n\xff");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		touch(i % 2 ? d : t.fd, names[i]);
	close(d);

	seen_init(&s);
	s.names = names;
	s.name_hits = hits;
	s.nnames = sizeof(names) / sizeof(names[0]);
	assert_int_equal(walk_open(&w, t.fd, 2, seen_fn, NULL, &s), 0);
	walk_all(w, 3);
	for (i = 0; i < s.nnames; i++)
		assert_int_equal(hits[i], 1);
	assert_int_equal(walk_stats(w)->files, s.nnames);
	assert_int_equal(walk_stats(w)->dirs, 2);
	assert_int_equal(walk_stats(w)->errors, 0);
	walk_close(w);
	tmp_remove(&t);
}

/* A callback's non-zero return ends the walk with that value. */
static void test_walk_stop(void **state)
{
	struct tmpdir t;
	struct walk *w;
	struct seen s;
	int base;

	tmp_make(&t);
	make_wide(t.fd);
	seen_init(&s);
	s.stop_after = 5;
	base = fd_count();
	assert_int_equal(walk_open(&w, t.fd, 4, seen_fn, NULL, &s), 0);
	assert_int_equal(walk_step(w, 100), -ECANCELED);
	assert_int_equal(walk_step(w, 100), 0);
	assert_int_equal(s.calls, 5);
	walk_close(w);
	assert_int_equal(fd_count(), base);
	tmp_remove(&t);
}

/*
 * A branch renamed while its streams are closed must not be resumed in the
 * wrong place: the walk counts an error and goes on from the root.
 */
static void test_walk_moved_branch(void **state)
{
	struct tmpdir t;
	struct walk *w;
	struct seen s;
	int a, b, c;

	tmp_make(&t);
	a = mkdir_open(t.fd, "a");
	b = mkdir_open(a, "b");
	c = mkdir_open(b, "c");
	touch(c, "x1");
	touch(c, "x2");
	touch(a, "y");
	close(c);
	close(b);

	seen_init(&s);
	s.moved_from = a;
	s.moved_to = t.fd;
	assert_int_equal(walk_open(&w, t.fd, 1, seen_fn, seen_err, &s), 0);
	walk_all(w, 1000);
	assert_int_equal(walk_stats(w)->errors, 1);
	assert_int_equal(s.err_seen, ESTALE);
	walk_close(w);
	close(a);
	tmp_remove(&t);
}

/* Mount points below the root are reported and not entered. */
static void test_walk_skips_mounts(void **state)
{
	struct stat dev, pts;
	struct walk *w;
	struct seen s;
	int fd;

	if (stat("/dev", &dev) || stat("/dev/pts", &pts) ||
	    dev.st_dev == pts.st_dev)
		skip();
	fd = open("/dev", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	seen_init(&s);
	assert_int_equal(walk_open(&w, fd, 4, seen_fn, seen_err, &s), 0);
	close(fd);
	walk_all(w, 1000);
	assert_true(walk_stats(w)->skipped_mounts >= 1);
	walk_close(w);
}

static void test_walk_not_dir(void **state)
{
	struct tmpdir t;
	struct walk *w;
	int fd, base;

	tmp_make(&t);
	touch(t.fd, "file");
	fd = openat(t.fd, "file", O_RDONLY);
	base = fd_count();
	assert_int_equal(walk_open(&w, fd, 4, seen_fn, NULL, NULL), -ENOTDIR);
	assert_null(w);
	assert_int_equal(fd_count(), base);
	close(fd);
	tmp_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_counts),
		cmocka_unit_test(test_walk_deep),
		cmocka_unit_test(test_walk_wide_budget),
		cmocka_unit_test(test_walk_wide_reopen),
		cmocka_unit_test(test_walk_close_midway),
		cmocka_unit_test(test_walk_odd_names),
		cmocka_unit_test(test_walk_stop),
		cmocka_unit_test(test_walk_moved_branch),
		cmocka_unit_test(test_walk_skips_mounts),
		cmocka_unit_test(test_walk_not_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
