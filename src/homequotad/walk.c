#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"

#define WALK_DEFAULT_OPEN 32

/* Flags for every entry opened; O_NONBLOCK keeps a swapped-in FIFO harmless. */
#define WALK_OPEN_FLAGS \
	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/*
 * One directory on the path from the root to the current position.  dir is
 * NULL while the stream is closed to respect max_open; pos then says where
 * to resume reading.
 */
struct walk_level {
	DIR *dir;
	long pos;
	dev_t dev;
	ino_t ino;
};

struct walk {
	int pinfd;		/* the root, never read, to reopen it from */
	struct stat root_st;
	uint64_t mnt_id;
	bool have_mnt_id;
	struct walk_level *lv;	/* lv[i] is the directory at depth i */
	size_t nlv;
	size_t cap;
	size_t lo;		/* levels lo .. nlv - 1 have open streams */
	unsigned nopen;
	unsigned max_open;
	walk_fn fn;
	walk_err_fn efn;
	void *arg;
	struct walk_stats stats;
	bool root_done;
	bool finished;
};

/* What an open descriptor really is, and on which mount. */
struct walk_id {
	mode_t type;
	dev_t dev;
	ino_t ino;
	uint64_t mnt_id;
	bool have_mnt_id;
};

/*
 * Identifies fd with statx() so the mount ID comes with the inode: a bind
 * mount of the same filesystem has the same st_dev, and only the mount ID
 * tells it apart.  Kernels without statx fall back to fstat().
 */
static int walk_identify(int fd, struct walk_id *id)
{
	struct statx sx;
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_MNT_ID,
		  &sx) == 0) {
		id->type = sx.stx_mode & S_IFMT;
		id->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		id->ino = sx.stx_ino;
		id->mnt_id = sx.stx_mnt_id;
		id->have_mnt_id = (sx.stx_mask & STATX_MNT_ID) != 0;
		return 0;
	}
	if (errno != ENOSYS)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	id->type = st.st_mode & S_IFMT;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

/* Opens a directory stream on the root again, through the pinning fd. */
static DIR *walk_open_root(const struct walk *w)
{
	DIR *d;
	int fd;

	fd = openat(w->pinfd, ".", O_RDONLY | O_DIRECTORY | O_NOCTTY |
		    O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return d;
}

/*
 * Opens the root stream as level 0.  The pin is a duplicate, but streams
 * are opened through "." so that reading them never moves the file offset
 * the caller shares with its own descriptor.
 */
static int walk_start(struct walk *w, int rootfd)
{
	struct walk_id id;
	int rc;

	w->pinfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (w->pinfd < 0)
		return -errno;
	if (fstat(w->pinfd, &w->root_st) < 0)
		return -errno;
	if (!S_ISDIR(w->root_st.st_mode))
		return -ENOTDIR;
	rc = walk_identify(w->pinfd, &id);
	if (rc < 0)
		return rc;
	w->mnt_id = id.mnt_id;
	w->have_mnt_id = id.have_mnt_id;

	w->cap = 64;
	w->lv = calloc(w->cap, sizeof(*w->lv));
	if (!w->lv)
		return -ENOMEM;
	w->lv[0].dir = walk_open_root(w);
	if (!w->lv[0].dir)
		return -errno;
	w->lv[0].dev = w->root_st.st_dev;
	w->lv[0].ino = w->root_st.st_ino;
	w->nlv = 1;
	w->nopen = 1;
	return 0;
}

int walk_open(struct walk **out, int rootfd, unsigned max_open, walk_fn fn,
	      walk_err_fn efn, void *arg)
{
	struct walk *w;
	int rc;

	*out = NULL;
	if (!fn || rootfd < 0)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->pinfd = -1;
	w->max_open = max_open ? max_open : WALK_DEFAULT_OPEN;
	w->fn = fn;
	w->efn = efn;
	w->arg = arg;
	rc = walk_start(w, rootfd);
	if (rc < 0) {
		walk_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

/* Counts a skipped entry by its reason and tells the caller about it. */
static void walk_skip(struct walk *w, const char *name, unsigned depth,
		      int err)
{
	if (err == EXDEV)
		w->stats.skipped_mounts++;
	else if (err == EAGAIN)
		w->stats.raced++;
	else
		w->stats.errors++;
	if (w->efn)
		w->efn(name, depth, err, w->arg);
	else
		log_msg(LOG_LEVEL_DEBUG, err, "walk: skipping '%s' at depth %u",
			name, depth);
}

/* Closes every open stream, leaving the level records in place. */
static void walk_close_streams(struct walk *w)
{
	size_t i;

	for (i = w->lo; i < w->nlv; i++) {
		if (w->lv[i].dir) {
			closedir(w->lv[i].dir);
			w->lv[i].dir = NULL;
		}
	}
	w->nopen = 0;
}

void walk_close(struct walk *w)
{
	if (!w)
		return;
	if (w->lv) {
		w->lo = 0;
		walk_close_streams(w);
	}
	if (w->pinfd >= 0)
		close(w->pinfd);
	free(w->lv);
	free(w);
}

const struct walk_stats *walk_stats(const struct walk *w)
{
	return &w->stats;
}

/*
 * Makes room for one more level.  Records are small, so depth alone
 * decides their memory, never the number of entries.
 */
static int walk_grow(struct walk *w)
{
	struct walk_level *lv;
	size_t cap;

	if (w->nlv < w->cap)
		return 0;
	cap = w->cap * 2;
	lv = reallocarray(w->lv, cap, sizeof(*lv));
	if (!lv)
		return -ENOMEM;
	w->lv = lv;
	w->cap = cap;
	return 0;
}

/*
 * Closes the shallowest open stream, remembering where it was, so that no
 * more than max_open streams stay open however deep the tree goes.
 */
static void walk_evict(struct walk *w)
{
	struct walk_level *l = &w->lv[w->lo];

	l->pos = telldir(l->dir);
	closedir(l->dir);
	l->dir = NULL;
	w->lo++;
	w->nopen--;
}

/* Descends into the directory open at fd, which the walk now owns. */
static void walk_push(struct walk *w, int fd, const struct stat *st,
		      const char *name, unsigned depth)
{
	struct walk_level *l;
	DIR *d;
	int rc;

	rc = walk_grow(w);
	if (rc < 0) {
		close(fd);
		walk_skip(w, name, depth, -rc);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		rc = errno;
		close(fd);
		walk_skip(w, name, depth, rc);
		return;
	}
	/* Last: name may live in the buffer of the stream evicted here. */
	if (w->nopen >= w->max_open)
		walk_evict(w);
	l = &w->lv[w->nlv++];
	l->dir = d;
	l->pos = 0;
	l->dev = st->st_dev;
	l->ino = st->st_ino;
	w->nopen++;
}

/*
 * Reopens the directory at level n - 1 through ".." of level n, which is
 * still open.  Going up from the child rather than down by name needs no
 * stored names, and the device and inode check refuses a parent that is
 * no longer the one the walk came from.  Returns 0, -ESTALE on a mismatch
 * or another negative errno.
 */
static int walk_reopen_parent(struct walk *w, size_t n)
{
	struct walk_level *p = &w->lv[n - 1];
	struct stat st;
	DIR *d;
	int fd;

	fd = openat(dirfd(w->lv[n].dir), "..", O_RDONLY | O_DIRECTORY |
		    O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_dev != p->dev || st.st_ino != p->ino) {
		close(fd);
		return -ESTALE;
	}
	d = fdopendir(fd);
	if (!d) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	seekdir(d, p->pos);
	p->dir = d;
	w->lo = n - 1;
	w->nopen++;
	return 0;
}

/*
 * Gives up every level below the root and resumes the root where it was,
 * after a branch was moved away during the walk.  Returns 0 or, if the root
 * itself cannot be opened any more, a negative errno.
 */
static int walk_restart_root(struct walk *w)
{
	DIR *d;

	walk_close_streams(w);
	w->nlv = 1;
	w->lo = 0;
	d = walk_open_root(w);
	if (!d)
		return -errno;
	seekdir(d, w->lv[0].pos);
	w->lv[0].dir = d;
	w->nopen = 1;
	return 0;
}

/*
 * Leaves the top directory, whose entries are all done, making sure its
 * parent's stream is open again first.  Returns 0 or a fatal negative
 * errno.
 */
static int walk_pop(struct walk *w)
{
	size_t n = w->nlv - 1;
	int rc;

	if (n > 0 && !w->lv[n - 1].dir) {
		/* The root is reopened from the pin, which cannot go stale. */
		if (n == 1)
			return walk_restart_root(w);
		rc = walk_reopen_parent(w, n);
		if (rc < 0) {
			walk_skip(w, "..", (unsigned)n, -rc);
			return walk_restart_root(w);
		}
	}
	closedir(w->lv[n].dir);
	w->lv[n].dir = NULL;
	w->nlv--;
	w->nopen--;
	return 0;
}

/*
 * Opens a directory or regular file for the callback.  O_NOATIME spares the
 * walk from dirtying every inode, but only the owner (or CAP_FOWNER) may
 * ask for it, so it is dropped on EPERM.
 */
static int walk_open_entry(int dfd, const char *name, bool isdir)
{
	int flags = WALK_OPEN_FLAGS | (isdir ? O_DIRECTORY : 0);
	int fd;

	fd = openat(dfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dfd, name, flags);
	return fd < 0 ? -errno : fd;
}

/*
 * Checks that fd is the inode fstatat() found and that it lies on the
 * walk's own mount.  Returns 0, -EAGAIN if the entry was replaced in
 * between, -EXDEV for another mount, or another negative errno.
 */
static int walk_check(const struct walk *w, int fd, const struct stat *st)
{
	struct walk_id id;
	int rc;

	rc = walk_identify(fd, &id);
	if (rc < 0)
		return rc;
	if (id.type != (st->st_mode & S_IFMT) || id.dev != st->st_dev ||
	    id.ino != st->st_ino)
		return -EAGAIN;
	if (w->have_mnt_id && id.have_mnt_id && id.mnt_id != w->mnt_id)
		return -EXDEV;
	return 0;
}

/* Counts one visited entry and notes how deep the walk has been. */
static void walk_count(struct walk *w, const struct stat *st, unsigned depth)
{
	if (S_ISDIR(st->st_mode))
		w->stats.dirs++;
	else if (S_ISREG(st->st_mode))
		w->stats.files++;
	else
		w->stats.others++;
	if (depth > w->stats.max_depth)
		w->stats.max_depth = depth;
}

/*
 * Visits one entry of the directory open at dfd: looks it up without
 * following it, opens it if it is a directory or regular file, calls the
 * callback and descends into directories.  Returns 0 or the callback's
 * non-zero value.
 */
static int walk_entry(struct walk *w, int dfd, const char *name,
		      unsigned depth)
{
	struct stat st;
	int fd, rc;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)) {
		walk_skip(w, name, depth, errno);
		return 0;
	}
	if (st.st_dev != w->root_st.st_dev) {
		walk_skip(w, name, depth, EXDEV);
		return 0;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		walk_count(w, &st, depth);
		return w->fn(-1, &st, name, depth, w->arg);
	}

	fd = walk_open_entry(dfd, name, S_ISDIR(st.st_mode));
	if (fd < 0) {
		walk_skip(w, name, depth, -fd);
		return 0;
	}
	rc = walk_check(w, fd, &st);
	if (rc < 0) {
		close(fd);
		walk_skip(w, name, depth, -rc);
		return 0;
	}
	walk_count(w, &st, depth);
	rc = w->fn(fd, &st, name, depth, w->arg);
	if (rc || !S_ISDIR(st.st_mode)) {
		close(fd);
		return rc;
	}
	walk_push(w, fd, &st, name, depth);
	return 0;
}

/*
 * Returns the next entry of the top directory other than "." and "..", or
 * NULL at its end.  A read error ends the directory early: its remaining
 * entries cannot be reached.
 */
static struct dirent *walk_readdir(struct walk *w)
{
	DIR *d = w->lv[w->nlv - 1].dir;
	struct dirent *de;

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				walk_skip(w, ".", (unsigned)(w->nlv - 1),
					  errno);
			return NULL;
		}
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return de;
	}
}

/* Does one unit of work: one entry, or leaving one finished directory. */
static int walk_advance(struct walk *w)
{
	struct dirent *de;
	DIR *d;

	de = walk_readdir(w);
	if (!de)
		return walk_pop(w);
	d = w->lv[w->nlv - 1].dir;
	return walk_entry(w, dirfd(d), de->d_name, (unsigned)w->nlv);
}

int walk_step(struct walk *w, unsigned budget)
{
	int rc = 0;

	if (w->finished)
		return 0;
	if (!w->root_done) {
		w->root_done = true;
		walk_count(w, &w->root_st, 0);
		rc = w->fn(dirfd(w->lv[0].dir), &w->root_st, ".", 0, w->arg);
		if (budget > 0)
			budget--;
	}
	while (rc == 0 && budget > 0 && w->nlv > 0) {
		rc = walk_advance(w);
		budget--;
	}
	if (rc == 0 && w->nlv > 0)
		return 1;
	w->finished = true;
	return rc;
}
