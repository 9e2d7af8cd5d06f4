#include "homes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "grow.h"
#include "idmap.h"
#include "log.h"
#include "projfile.h"
#include "size.h"
#include "walk.h"

/* Entries per walk_step() call; small enough to check the clock often. */
#define WALK_CHUNK 128
/*
 * Adoption walks running at once; the others wait in a queue holding no
 * descriptor, so ten thousand new homes cost no more descriptors than ten.
 */
#define WALKS_AT_ONCE 4
/* Directory streams one adoption walk may hold open. */
#define WALK_MAX_OPEN 32

#define WATCH_MASK (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | \
		    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct base;

struct home {
	char *name;		/* raw directory name */
	char *shown;		/* escaped for messages */
	struct base *base;
	uint32_t id;		/* 0 until known */
	bool seen;		/* met during the current full pass */
	bool not_home;		/* an entry that is not a home, logged once */
	struct walk *walk;	/* adoption walk running */
	bool queued;		/* adoption walk waiting in homes.queue */
	size_t walk_slot;	/* its index in homes.walking */
	int fd;			/* the home, held while its walk runs */
	double walk_start;
};

struct base {
	char *path;
	int fd;
	dev_t dev;
	int wd;
	bool fs_root;		/* the root of its filesystem */
	struct grow_state grow;
	struct homes *owner;
	struct home **homes;	/* sorted by name */
	size_t nhomes;
	size_t cap;
};

struct homes {
	const struct config *cfg;
	struct base *bases;
	size_t nbases;
	int ifd;
	bool dirty;		/* the projects files need rewriting */
	struct idmap ids;	/* which homes hold which ID */
	uint32_t next_id;	/* where the search for a free ID resumes */
	struct home **queue;	/* adoptions waiting, oldest from queue_head */
	size_t queue_head;
	size_t queue_len;
	size_t queue_cap;
	struct home *walking[WALKS_AT_ONCE];
	size_t nwalking;
	size_t walk_next;	/* round robin among the running walks */
	struct homes_stats stats;
};

static void home_set_id(struct homes *h, struct home *hm, uint32_t id);

static double now_seconds(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Binary search; *pos receives the insertion point when not found. */
static struct home *home_find(const struct base *b, const char *name,
			      size_t *pos)
{
	size_t lo = 0, hi = b->nhomes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, b->homes[mid]->name);

		if (c == 0) {
			if (pos)
				*pos = mid;
			return b->homes[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (pos)
		*pos = lo;
	return NULL;
}

static struct home *home_get(struct base *b, const char *name)
{
	struct home *hm;
	size_t pos;

	hm = home_find(b, name, &pos);
	if (hm)
		return hm;
	if (b->nhomes == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct home **n = realloc(b->homes, cap * sizeof(*n));

		if (!n)
			return NULL;
		b->homes = n;
		b->cap = cap;
	}
	hm = calloc(1, sizeof(*hm));
	if (!hm)
		return NULL;
	hm->name = strdup(name);
	hm->shown = projfile_escape(name);
	if (!hm->name || !hm->shown) {
		free(hm->name);
		free(hm->shown);
		free(hm);
		return NULL;
	}
	hm->base = b;
	hm->fd = -1;
	memmove(b->homes + pos + 1, b->homes + pos,
		(b->nhomes - pos) * sizeof(*b->homes));
	b->homes[pos] = hm;
	b->nhomes++;
	return hm;
}

/* Stops a home's adoption walk, running or queued. */
static void adopt_cancel(struct homes *h, struct home *hm)
{
	size_t i = hm->walk_slot;

	if (hm->walk && i < h->nwalking && h->walking[i] == hm) {
		h->walking[i] = h->walking[--h->nwalking];
		h->walking[i]->walk_slot = i;
	}
	walk_close(hm->walk);
	hm->walk = NULL;
	if (hm->fd >= 0)
		close(hm->fd);
	hm->fd = -1;

	if (!hm->queued)
		return;
	for (i = h->queue_head; i < h->queue_len; i++) {
		if (h->queue[i] != hm)
			continue;
		memmove(h->queue + i, h->queue + i + 1,
			(h->queue_len - i - 1) * sizeof(*h->queue));
		h->queue_len--;
		break;
	}
	hm->queued = false;
}

static void home_free(struct homes *h, struct home *hm)
{
	adopt_cancel(h, hm);
	home_set_id(h, hm, 0);
	free(hm->name);
	free(hm->shown);
	free(hm);
}

/* Forgets a home that is gone from its base path. */
static void home_drop(struct base *b, const char *name)
{
	struct homes *h = b->owner;
	struct home *hm;
	size_t pos;

	hm = home_find(b, name, &pos);
	if (!hm)
		return;
	if (!hm->not_home) {
		log_info("home '%s' in '%s' is gone (project id %u)",
			 hm->shown, b->path, hm->id);
		h->dirty = true;
	}
	memmove(b->homes + pos, b->homes + pos + 1,
		(b->nhomes - pos - 1) * sizeof(*b->homes));
	b->nhomes--;
	home_free(h, hm);
}

/* An entry at home level that is not a home: said once, then ignored. */
static void note_not_home(struct base *b, const char *name, const char *why)
{
	struct home *hm = home_find(b, name, NULL);

	if (hm && !hm->not_home)
		home_drop(b, name);
	hm = home_get(b, name);
	if (!hm)
		return;
	hm->seen = true;
	if (hm->not_home)
		return;
	hm->not_home = true;
	log_info("ignoring '%s' in '%s': %s", hm->shown, b->path, why);
}

/*
 * Hidden entries are never homes, nor is the lost+found directory that
 * mkfs.ext4 leaves at the root of a filesystem.
 */
static bool home_name_ok(const struct base *b, const char *name)
{
	if (name[0] == '.')
		return false;
	return !(b->fs_root && strcmp(name, "lost+found") == 0);
}

/* Whether a home other than self on the same filesystem holds id. */
static bool id_held(const struct homes *h, dev_t dev, uint32_t id,
		    const struct home *self)
{
	uint32_t n = idmap_count(&h->ids, dev, id);

	if (self && self->id == id && self->base->dev == dev)
		n--;
	return n > 0;
}

/* Records that hm now holds id (0: none). */
static void home_set_id(struct homes *h, struct home *hm, uint32_t id)
{
	if (hm->id == id)
		return;
	if (hm->id)
		idmap_remove(&h->ids, hm->base->dev, hm->id);
	if (id && idmap_add(&h->ids, hm->base->dev, id) < 0)
		log_error("out of memory recording project id %u", id);
	hm->id = id;
}

/*
 * A project ID no home holds and whose quota record counts no usage, so no
 * inode anywhere on the filesystem carries it.  Returns 0 when none is left.
 */
static uint32_t id_allocate(struct homes *h, struct base *b,
			    const struct home *self)
{
	uint32_t min = h->cfg->min_projid;
	uint32_t id = h->next_id < min ? min : h->next_id;
	uint64_t tries = (uint64_t)UINT32_MAX - min;

	for (; tries > 0; tries--, id = id == UINT32_MAX - 1 ? min : id + 1) {
		struct quota_usage q;
		int rc;

		if (id_held(h, b->dev, id, self))
			continue;
		rc = quota_get(b->fd, id, &q);
		if (rc == 0 && (q.bytes_used || q.inodes_used))
			continue;
		if (rc < 0 && rc != -ENOENT) {
			log_warn_errno(rc, "cannot read quota of project %u on '%s'",
				       id, b->path);
			h->stats.quota_errors++;
			return 0;
		}
		h->next_id = id == UINT32_MAX - 1 ? min : id + 1;
		return id;
	}
	return 0;
}

static void limits_wanted(const struct config *cfg, const char *name,
			  struct quota_limits *lim)
{
	uint64_t hard;

	memset(lim, 0, sizeof(*lim));
	if (!config_home_limits(cfg, name, &hard))
		return;
	lim->bytes_hard = (hard + 1023) / 1024 * 1024;
	lim->bytes_soft = (config_soft_bytes(cfg, hard) + 1023) / 1024 * 1024;
	lim->inodes_hard = cfg->hard_inodes;
	lim->inodes_soft = cfg->soft_inodes;
}

/* Puts the configured limits on a home's project if they differ. */
static int home_apply_limits(struct homes *h, struct home *hm)
{
	struct base *b = hm->base;
	struct quota_limits want;
	struct quota_usage q;
	char hard[SIZE_FMT_LEN], soft[SIZE_FMT_LEN], inodes[24];
	int rc;

	limits_wanted(h->cfg, hm->name, &want);
	rc = quota_get(b->fd, hm->id, &q);
	if (rc == -ENOENT)
		memset(&q, 0, sizeof(q));
	else if (rc < 0)
		goto fail;
	if (q.bytes_hard == want.bytes_hard &&
	    q.bytes_soft == want.bytes_soft &&
	    q.inodes_hard == want.inodes_hard &&
	    q.inodes_soft == want.inodes_soft)
		return 0;

	rc = quota_set_limits(b->fd, hm->id, &want);
	if (rc < 0)
		goto fail;
	h->stats.limits_set++;
	if (!want.bytes_hard) {
		log_info("home '%s' in '%s': project id %u, no limit (excluded)",
			 hm->shown, b->path, hm->id);
		return 0;
	}
	size_format(want.bytes_hard, hard, sizeof(hard));
	size_format(want.bytes_soft, soft, sizeof(soft));
	snprintf(inodes, sizeof(inodes), "%llu",
		 (unsigned long long)want.inodes_hard);
	log_info("home '%s' in '%s': project id %u, hard limit %s, soft limit %s, inode limit %s",
		 hm->shown, b->path, hm->id, hard,
		 want.bytes_soft ? soft : "none",
		 want.inodes_hard ? inodes : "none");
	return 0;
fail:
	log_warn_errno(rc, "cannot set limits of home '%s' in '%s' (project id %u)",
		       hm->shown, b->path, hm->id);
	h->stats.quota_errors++;
	return rc;
}

/* Gives one inode of an adopted tree the home's ID. */
static int adopt_visit(int fd, const struct stat *st, const char *name,
		       unsigned depth, void *arg)
{
	struct home *hm = arg;
	struct homes *h = hm->base->owner;
	bool dir = S_ISDIR(st->st_mode);
	bool inherit;
	uint32_t id;
	int rc;

	if (fd < 0)
		return 0;
	rc = quota_get_projid(fd, &id, &inherit);
	if (rc == 0 && id == hm->id && inherit == dir)
		return 0;
	if (rc == 0)
		rc = quota_set_projid(fd, hm->id, dir);
	if (rc < 0) {
		h->stats.walk_errors++;
		log_warn_errno(rc, "cannot set project id %u on '%s' (depth %u) in home '%s'",
			       hm->id, name, depth, hm->shown);
	}
	return 0;
}

static void adopt_error(const char *name, unsigned depth, int err, void *arg)
{
	struct home *hm = arg;

	if (err == EXDEV) {
		log_info("home '%s': not entering mount point '%s'",
			 hm->shown, name);
		return;
	}
	hm->base->owner->stats.walk_errors++;
	log_warn_errno(err, "home '%s': cannot adopt '%s' (depth %u)",
		       hm->shown, name, depth);
}

/*
 * Gives a home the project ID id: marks it as being adopted, sets the ID
 * and PROJINHERIT on the directory at once (so new files inherit it and the
 * limit applies from now on), then queues a walk of the existing tree.
 * Closes fd.
 */
static int adopt_start(struct homes *h, struct home *hm, int fd, uint32_t id)
{
	char text[16];
	int rc;

	snprintf(text, sizeof(text), "%u", id);
	if (fsetxattr(fd, HOMES_ADOPT_XATTR, text, strlen(text), 0) < 0)
		log_debug("home '%s': cannot mark adoption: %s", hm->shown,
			  strerror(errno));
	rc = quota_set_projid(fd, id, true);
	if (rc < 0) {
		log_warn_errno(rc, "cannot set project id %u on home '%s' in '%s'",
			       id, hm->shown, hm->base->path);
		h->stats.quota_errors++;
		close(fd);
		return rc;
	}
	if (hm->id != id)
		h->dirty = true;
	home_set_id(h, hm, id);
	h->stats.ids_set++;
	log_info("home '%s' in '%s': project id %u set, adopting its tree",
		 hm->shown, hm->base->path, id);
	home_apply_limits(h, hm);

	close(fd);
	if (hm->queued)
		return 0;
	if (h->queue_len == h->queue_cap) {
		size_t cap = h->queue_cap ? h->queue_cap * 2 : 16;
		struct home **n;

		/* Reclaim the room the queue's head has moved past. */
		memmove(h->queue, h->queue + h->queue_head,
			(h->queue_len - h->queue_head) * sizeof(*h->queue));
		h->queue_len -= h->queue_head;
		h->queue_head = 0;
		n = realloc(h->queue, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		h->queue = n;
		h->queue_cap = cap;
	}
	h->queue[h->queue_len++] = hm;
	hm->queued = true;
	return 0;
}

/* Takes the oldest queued adoption and starts walking its tree. */
static void adopt_begin_walk(struct homes *h)
{
	struct home *hm = h->queue[h->queue_head++];
	int fd, rc;

	if (h->queue_head == h->queue_len)
		h->queue_head = h->queue_len = 0;
	hm->queued = false;
	fd = openat(hm->base->fd, hm->name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		/* Gone or replaced: the event or the next pass says which. */
		log_debug("home '%s': cannot open it to adopt: %s", hm->shown,
			  strerror(errno));
		return;
	}
	rc = walk_open(&hm->walk, fd, WALK_MAX_OPEN, adopt_visit, adopt_error,
		       hm);
	if (rc < 0) {
		h->stats.walk_errors++;
		log_warn_errno(rc, "cannot walk home '%s', retried on the next pass",
			       hm->shown);
		close(fd);
		return;
	}
	hm->fd = fd;
	hm->walk_start = now_seconds(CLOCK_MONOTONIC);
	hm->walk_slot = h->nwalking;
	h->walking[h->nwalking++] = hm;
}

static void adopt_finish(struct homes *h, struct home *hm, int rc)
{
	const struct walk_stats *ws = walk_stats(hm->walk);
	double secs = now_seconds(CLOCK_MONOTONIC) - hm->walk_start;

	if (rc == 0) {
		if (fremovexattr(hm->fd, HOMES_ADOPT_XATTR) < 0 &&
		    errno != ENODATA)
			log_debug("home '%s': cannot clear adoption mark: %s",
				  hm->shown, strerror(errno));
		h->stats.adopted++;
		log_info("home '%s' in '%s': adopted %llu files and %llu directories in %.3fs (%llu not settable, %llu errors)",
			 hm->shown, hm->base->path,
			 (unsigned long long)ws->files,
			 (unsigned long long)ws->dirs, secs,
			 (unsigned long long)ws->others,
			 (unsigned long long)ws->errors);
	} else {
		h->stats.walk_errors++;
		log_warn_errno(rc, "home '%s' in '%s': adoption stopped, retried on the next pass",
			       hm->shown, hm->base->path);
	}
	adopt_cancel(h, hm);
}

static bool has_adopt_mark(int fd)
{
	return fgetxattr(fd, HOMES_ADOPT_XATTR, NULL, 0) >= 0;
}

/*
 * Brings one home in line: reads its ID back from the directory, keeps it
 * when it is valid and its own, otherwise adopts the home under a fresh ID,
 * and puts the configured limits on it.
 */
static int home_sync(struct homes *h, struct base *b, const char *name)
{
	struct home *hm;
	struct stat st;
	uint32_t cur, target;
	bool inherit;
	int fd, rc;

	fd = openat(b->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ENOENT) {
			home_drop(b, name);
			return 0;
		}
		if (rc == -ENOTDIR || rc == -ELOOP) {
			note_not_home(b, name, "not a directory");
			return 0;
		}
		h->stats.io_errors++;
		log_warn_errno(rc, "cannot open '%s' in '%s'", name, b->path);
		return rc;
	}
	if (fstat(fd, &st) < 0 || st.st_dev != b->dev) {
		close(fd);
		note_not_home(b, name, "a mount point of another filesystem");
		return 0;
	}
	hm = home_get(b, name);
	if (!hm) {
		close(fd);
		return -ENOMEM;
	}
	if (hm->not_home) {
		hm->not_home = false;
		h->dirty = true;
	}
	hm->seen = true;
	if (hm->walk || hm->queued) {
		close(fd);
		return 0;
	}

	rc = quota_get_projid(fd, &cur, &inherit);
	if (rc < 0) {
		h->stats.quota_errors++;
		log_warn_errno(rc, "cannot read project id of home '%s' in '%s'",
			       hm->shown, b->path);
		close(fd);
		return rc;
	}
	if (cur >= h->cfg->min_projid && !id_held(h, b->dev, cur, hm))
		target = cur;
	else if (hm->id && !id_held(h, b->dev, hm->id, hm))
		target = hm->id;
	else
		target = id_allocate(h, b, hm);
	if (!target) {
		log_error("no free project id for home '%s' in '%s'",
			  hm->shown, b->path);
		close(fd);
		return -ENOSPC;
	}

	if (cur != target || !inherit || (hm->id && hm->id != cur) ||
	    has_adopt_mark(fd))
		return adopt_start(h, hm, fd, target);
	close(fd);
	if (hm->id != cur)
		h->dirty = true;
	home_set_id(h, hm, cur);
	return home_apply_limits(h, hm);
}

static int base_open(struct homes *h, struct base *b, const char *path,
		     char *err, size_t errlen)
{
	struct quota_fsinfo info;
	struct stat st, parent;
	int rc;

	b->owner = h;
	b->wd = -1;
	b->path = strdup(path);
	if (!b->path)
		return -ENOMEM;
	b->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->fd < 0) {
		rc = -errno;
		if (rc == -ENOENT)
			snprintf(err, errlen, "base path '%s' does not exist: create it or fix 'paths'", path);
		else if (rc == -ENOTDIR)
			snprintf(err, errlen, "base path '%s' is not a directory: fix 'paths'", path);
		else
			snprintf(err, errlen, "cannot open base path '%s': %s",
				 path, strerror(-rc));
		return rc;
	}
	rc = quota_fs_probe(path, &info, err, errlen);
	if (rc < 0)
		return rc;
	if (fstat(b->fd, &st) < 0 ||
	    fchown(b->fd, h->cfg->uid, h->cfg->gid) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot give base path '%s' to %u:%u: %s",
			 path, h->cfg->uid, h->cfg->gid, strerror(errno));
		return rc;
	}
	b->dev = st.st_dev;
	b->fs_root = fstatat(b->fd, "..", &parent, 0) == 0 &&
		     (parent.st_dev != st.st_dev || parent.st_ino == st.st_ino);
	b->wd = inotify_add_watch(h->ifd, path, WATCH_MASK);
	if (b->wd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot watch base path '%s': %s", path,
			 strerror(errno));
		return rc;
	}
	log_info("managing homes in '%s' (%s, project quotas enforced)",
		 path, quota_fstype_name(info.type));
	return 0;
}

static void base_close(struct homes *h, struct base *b)
{
	for (size_t i = 0; i < b->nhomes; i++)
		home_free(h, b->homes[i]);
	free(b->homes);
	if (b->fd >= 0)
		close(b->fd);
	free(b->path);
}

int homes_open(struct homes **out, const struct config *cfg, char *err,
	       size_t errlen)
{
	struct homes *h;
	int rc;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cfg = cfg;
	h->dirty = true;
	h->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	h->bases = calloc(cfg->npaths, sizeof(*h->bases));
	if (h->ifd < 0 || !h->bases) {
		rc = h->ifd < 0 ? -errno : -ENOMEM;
		snprintf(err, errlen, "cannot start watching: %s",
			 strerror(-rc));
		goto out_close;
	}
	for (size_t i = 0; i < cfg->npaths; i++) {
		h->bases[i].fd = -1;
		h->nbases++;
		rc = base_open(h, &h->bases[i], cfg->paths[i], err, errlen);
		if (rc < 0)
			goto out_close;
	}
	*out = h;
	return 0;
out_close:
	homes_close(h);
	return rc;
}

void homes_close(struct homes *h)
{
	if (!h)
		return;
	/* Empty the queue first: dropping homes one by one would search it. */
	for (size_t i = h->queue_head; i < h->queue_len; i++)
		h->queue[i]->queued = false;
	h->queue_head = h->queue_len = 0;
	for (size_t i = 0; i < h->nbases; i++)
		base_close(h, &h->bases[i]);
	free(h->bases);
	free(h->queue);
	idmap_free(&h->ids);
	if (h->ifd >= 0)
		close(h->ifd);
	free(h);
}

int homes_inotify_fd(const struct homes *h)
{
	return h->ifd;
}

static struct base *base_by_wd(struct homes *h, int wd)
{
	for (size_t i = 0; i < h->nbases; i++)
		if (h->bases[i].wd == wd)
			return &h->bases[i];
	return NULL;
}

/* Handles one event; returns true when a full pass is needed. */
static bool handle_event(struct homes *h, const struct inotify_event *ev)
{
	struct base *b;

	h->stats.events++;
	if (ev->mask & IN_Q_OVERFLOW) {
		h->stats.overflows++;
		log_warn("inotify queue overflowed: running a full pass");
		return true;
	}
	b = base_by_wd(h, ev->wd);
	if (!b)
		return false;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
		log_error("base path '%s' was removed or moved: restart or reload once it is back",
			  b->path);
		b->wd = -1;
		h->stats.last_pass_ok = false;
		return false;
	}
	if (!ev->len || !home_name_ok(b, ev->name))
		return false;
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
		home_drop(b, ev->name);
	else if (ev->mask & IN_ISDIR)
		home_sync(h, b, ev->name);
	else
		note_not_home(b, ev->name, "not a directory");
	return false;
}

int homes_handle_events(struct homes *h)
{
	char buf[64 * 1024] __attribute__((aligned(8)));
	bool pass = false;

	for (;;) {
		ssize_t n = read(h->ifd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			int rc = n < 0 ? -errno : -EIO;

			log_error_errno(rc, "cannot read inotify events");
			return rc;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			pass |= handle_event(h, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	return pass ? homes_full_pass(h) : 0;
}

static int base_pass(struct homes *h, struct base *b)
{
	struct dirent *de;
	DIR *dir;
	int fd, rc = 0;

	for (size_t i = 0; i < b->nhomes; i++)
		b->homes[i]->seen = false;
	fd = openat(b->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		log_error_errno(rc, "cannot read base path '%s'", b->path);
		return rc;
	}
	while ((errno = 0, de = readdir(dir))) {
		if (!home_name_ok(b, de->d_name))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) {
			note_not_home(b, de->d_name, "not a directory");
			continue;
		}
		if (home_sync(h, b, de->d_name) < 0)
			rc = -EIO;
	}
	if (errno)
		rc = -errno;
	closedir(dir);

	for (size_t i = b->nhomes; i-- > 0;)
		if (!b->homes[i]->seen)
			home_drop(b, b->homes[i]->name);
	return rc;
}

int homes_full_pass(struct homes *h)
{
	double start = now_seconds(CLOCK_MONOTONIC);
	bool ok = true;
	int rc = 0;

	for (size_t i = 0; i < h->nbases; i++) {
		if (h->bases[i].wd < 0) {
			ok = false;
			continue;
		}
		if (base_pass(h, &h->bases[i]) < 0) {
			ok = false;
			rc = -EIO;
		}
	}
	homes_flush(h);
	h->stats.passes++;
	h->stats.last_pass_ok = ok;
	h->stats.last_pass_time = now_seconds(CLOCK_REALTIME);
	h->stats.last_pass_seconds = now_seconds(CLOCK_MONOTONIC) - start;
	log_debug("full pass done in %.3fs", h->stats.last_pass_seconds);
	return rc;
}

void homes_grow(struct homes *h)
{
	for (size_t i = 0; i < h->nbases; i++) {
		struct base *b = &h->bases[i];
		struct grow_result res;
		char msg[512];
		int rc;

		rc = grow_check(&b->grow, b->fd, b->path, &res, msg,
				sizeof(msg));
		if (rc < 0) {
			h->stats.grow_failures++;
			log_warn("%s", msg);
		} else if (res.grew) {
			h->stats.grows++;
			log_info("%s", msg);
		}
	}
}

bool homes_busy(const struct homes *h)
{
	return h->nwalking > 0 || h->queue_len > h->queue_head;
}

void homes_work(struct homes *h, unsigned max_ms)
{
	double end = now_seconds(CLOCK_MONOTONIC) + max_ms / 1000.0;

	while (homes_busy(h) && now_seconds(CLOCK_MONOTONIC) < end) {
		struct home *hm;
		int rc;

		while (h->nwalking < WALKS_AT_ONCE &&
		       h->queue_len > h->queue_head)
			adopt_begin_walk(h);
		if (!h->nwalking)
			continue;
		if (h->walk_next >= h->nwalking)
			h->walk_next = 0;
		hm = h->walking[h->walk_next++];
		rc = walk_step(hm->walk, WALK_CHUNK);
		if (rc != 1)
			adopt_finish(h, hm, rc);
	}
}

static int add_entry(const struct homes_entry *e, void *arg)
{
	struct projfile_entry **pe = arg;
	char *path;

	if (asprintf(&path, "%s/%s", e->base, e->name) < 0)
		return -ENOMEM;
	(*pe)->name = e->name;
	(*pe)->path = path;
	(*pe)->id = e->id;
	(*pe)++;
	return 0;
}

void homes_flush(struct homes *h)
{
	struct projfile_entry *entries, *end;
	size_t n = 0;
	int rc;

	if (!h->dirty)
		return;
	for (size_t i = 0; i < h->nbases; i++)
		n += h->bases[i].nhomes;
	entries = calloc(n + 1, sizeof(*entries));
	if (!entries)
		return;
	end = entries;
	rc = homes_foreach(h, add_entry, &end);
	if (rc == 0)
		rc = projfile_write(h->cfg->projects_file, h->cfg->projid_file,
				    entries, (size_t)(end - entries));
	if (rc == 0)
		h->dirty = false;
	else
		log_warn_errno(rc, "cannot write '%s' and '%s'",
			       h->cfg->projects_file, h->cfg->projid_file);
	for (struct projfile_entry *e = entries; e < end; e++)
		free((char *)e->path);
	free(entries);
}

bool homes_dirty(const struct homes *h)
{
	return h->dirty;
}

const struct homes_stats *homes_stats(const struct homes *h)
{
	return &h->stats;
}

int homes_foreach(const struct homes *h,
		  int (*fn)(const struct homes_entry *e, void *arg),
		  void *arg)
{
	for (size_t i = 0; i < h->nbases; i++) {
		const struct base *b = &h->bases[i];

		for (size_t j = 0; j < b->nhomes; j++) {
			const struct home *hm = b->homes[j];
			struct homes_entry e;
			int rc;

			if (hm->not_home || !hm->id)
				continue;
			e.base = b->path;
			e.base_fd = b->fd;
			e.name = hm->name;
			e.id = hm->id;
			e.excluded = config_is_excluded(h->cfg, hm->name);
			e.adopting = hm->walk || hm->queued;
			rc = fn(&e, arg);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int homes_foreach_base(const struct homes *h,
		       int (*fn)(const struct homes_base_entry *e, void *arg),
		       void *arg)
{
	for (size_t i = 0; i < h->nbases; i++) {
		const struct base *b = &h->bases[i];
		struct homes_base_entry e = {
			.path = b->path, .fd = b->fd, .watched = b->wd >= 0,
		};
		int rc = fn(&e, arg);

		if (rc)
			return rc;
	}
	return 0;
}
