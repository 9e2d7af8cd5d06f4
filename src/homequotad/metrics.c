#include "metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

/* Quota reads that failed while rendering; homes_stats cannot count them. */
static uint64_t render_quota_errors;

/*
 * Length of the well-formed UTF-8 sequence starting at s (RFC 3629,
 * table 3-7 of the Unicode standard), or 0 when s[0] does not start one.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	/*
	 * The second byte's range rules out overlongs, surrogates and
	 * code points above U+10FFFF.
	 */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

int metrics_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("\xef\xbf\xbd", f);
			p++;
		} else if (*p == '\\') {
			fputs("\\\\", f);
		} else if (*p == '"') {
			fputs("\\\"", f);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
	}
	return ferror(f) ? -EIO : 0;
}

/* metrics_escape() into a new string; NULL when out of memory. */
static char *escape_dup(const char *s)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	if (metrics_escape(f, s) < 0) {
		fclose(f);
		free(out);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

struct label {
	const char *name;
	const char *value;
	bool escaped;		/* value is already escaped */
};

static bool label_taken(const struct label *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i].name, name))
			return true;
	return false;
}

/* One sample line: the series' own labels first, then the constant ones. */
static void put_sample(FILE *f, const struct metrics_snapshot *s,
		       const char *metric, const struct label *l, size_t n,
		       const char *value)
{
	bool first = true;

	fputs(metric, f);
	for (size_t i = 0; i < n + s->nlabels; i++) {
		const char *name, *val;
		bool escaped = false;

		if (i < n) {
			name = l[i].name;
			val = l[i].value;
			escaped = l[i].escaped;
		} else {
			name = s->labels[i - n].name;
			val = s->labels[i - n].value;
			if (label_taken(l, n, name))
				continue;
		}
		fprintf(f, "%s%s=\"", first ? "{" : ",", name);
		if (escaped)
			fputs(val, f);
		else
			metrics_escape(f, val);
		fputc('"', f);
		first = false;
	}
	fprintf(f, "%s %s\n", first ? "" : "}", value);
}

static void put_u64(FILE *f, const struct metrics_snapshot *s,
		    const char *metric, const struct label *l, size_t n,
		    uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
	put_sample(f, s, metric, l, n, text);
}

static void put_double(FILE *f, const struct metrics_snapshot *s,
		       const char *metric, double v)
{
	char text[40];

	snprintf(text, sizeof(text), "%.6f", v);
	put_sample(f, s, metric, NULL, 0, text);
}

static void put_family(FILE *f, const char *metric, const char *type,
		       const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric, type);
}

enum home_field {
	F_USED_BYTES,
	F_HARD_BYTES,
	F_SOFT_BYTES,
	F_USED_INODES,
	F_HARD_INODES,
	F_SOFT_INODES,
	F_PROJECT_ID,
	F_ADOPTING,
};

struct home_family {
	const char *name;
	const char *help;
	enum home_field field;
	bool legacy;		/* label "directory" only, one per name */
	bool limit;		/* 0 means no limit: no sample */
};

static const struct home_family home_families[] = {
	{ "dirsize_total_size_bytes", "Bytes used by the home directory.",
	  F_USED_BYTES, true, false },
	{ "dirsize_hard_limit_bytes", "Hard limit of the home directory in bytes.",
	  F_HARD_BYTES, true, true },
	{ "homequota_home_used_bytes", "Bytes charged to the home's project.",
	  F_USED_BYTES, false, false },
	{ "homequota_home_hard_limit_bytes", "Hard limit of the home's project in bytes.",
	  F_HARD_BYTES, false, true },
	{ "homequota_home_soft_limit_bytes", "Soft limit of the home's project in bytes.",
	  F_SOFT_BYTES, false, true },
	{ "homequota_home_used_inodes", "Inodes charged to the home's project.",
	  F_USED_INODES, false, false },
	{ "homequota_home_hard_limit_inodes", "Hard inode limit of the home's project.",
	  F_HARD_INODES, false, true },
	{ "homequota_home_soft_limit_inodes", "Soft inode limit of the home's project.",
	  F_SOFT_INODES, false, true },
	{ "homequota_home_project_id", "Project ID the home and its files carry.",
	  F_PROJECT_ID, false, false },
	{ "homequota_home_adopting", "1 while the home's existing tree is being given its project ID.",
	  F_ADOPTING, false, false },
};

/* The value of one field, or false when the home has no sample for it. */
static bool home_value(const struct metrics_home *hm, enum home_field field,
		       bool limit, uint64_t *v)
{
	switch (field) {
	case F_PROJECT_ID: *v = hm->id; return true;
	case F_ADOPTING: *v = hm->adopting; return true;
	case F_USED_BYTES: *v = hm->q.bytes_used; break;
	case F_HARD_BYTES: *v = hm->q.bytes_hard; break;
	case F_SOFT_BYTES: *v = hm->q.bytes_soft; break;
	case F_USED_INODES: *v = hm->q.inodes_used; break;
	case F_HARD_INODES: *v = hm->q.inodes_hard; break;
	case F_SOFT_INODES: *v = hm->q.inodes_soft; break;
	}
	return hm->have_quota && !(limit && *v == 0);
}

/* A home's escaped name and whether its series may be exported. */
struct home_label {
	char *name;
	size_t index;
	bool legacy_ok;		/* first with this name in any base path */
	bool path_ok;		/* first with this name in its base path */
};

static const struct metrics_snapshot *sort_snap;

static int home_label_cmp(const void *a, const void *b)
{
	const struct home_label *x = a, *y = b;
	size_t bx = sort_snap->homes[x->index].base;
	size_t by = sort_snap->homes[y->index].base;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (bx != by)
		return bx < by ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Escapes every home name once and marks the homes whose series would
 * repeat another home's labels, returning the marks in the snapshot's
 * order.  NULL when out of memory.
 */
static struct home_label *home_labels(const struct metrics_snapshot *s)
{
	struct home_label *sorted, *out;

	sorted = calloc(s->nhomes + 1, sizeof(*sorted));
	out = calloc(s->nhomes + 1, sizeof(*out));
	if (!sorted || !out)
		goto out_free;
	for (size_t i = 0; i < s->nhomes; i++) {
		sorted[i].index = i;
		sorted[i].name = escape_dup(s->homes[i].name);
		if (!sorted[i].name)
			goto out_free;
	}
	sort_snap = s;
	qsort(sorted, s->nhomes, sizeof(*sorted), home_label_cmp);
	for (size_t i = 0; i < s->nhomes; i++) {
		const struct home_label *prev = i ? &sorted[i - 1] : NULL;
		size_t base = s->homes[sorted[i].index].base;
		bool same = prev && !strcmp(prev->name, sorted[i].name);

		sorted[i].legacy_ok = !same;
		sorted[i].path_ok = !same || s->homes[prev->index].base != base;
		out[sorted[i].index] = sorted[i];
	}
	free(sorted);
	return out;
out_free:
	for (size_t i = 0; sorted && i < s->nhomes; i++)
		free(sorted[i].name);
	free(sorted);
	free(out);
	return NULL;
}

static void put_home_family(FILE *f, const struct metrics_snapshot *s,
			    const struct home_family *fam,
			    const struct home_label *hl, char **paths)
{
	put_family(f, fam->name, "gauge", fam->help);
	for (size_t i = 0; i < s->nhomes; i++) {
		const struct metrics_home *hm = &s->homes[i];
		struct label l[2] = {
			{ "directory", hl[i].name, true },
			{ "path", paths[hm->base], true },
		};
		uint64_t v = 0;

		if (!(fam->legacy ? hl[i].legacy_ok : hl[i].path_ok))
			continue;
		if (!home_value(hm, fam->field, fam->limit, &v))
			continue;
		put_u64(f, s, fam->name, l, fam->legacy ? 1 : 2, v);
	}
}

/* Sums over the homes of base b. */
static void base_sums(const struct metrics_snapshot *s, size_t b,
		      uint64_t *homes, uint64_t *hard)
{
	*homes = 0;
	*hard = 0;
	for (size_t i = 0; i < s->nhomes; i++) {
		const struct metrics_home *hm = &s->homes[i];

		if (hm->base != b)
			continue;
		(*homes)++;
		if (hm->have_quota)
			*hard = hm->q.bytes_hard > UINT64_MAX - *hard ?
				UINT64_MAX : *hard + hm->q.bytes_hard;
	}
}

enum base_field {
	B_WATCHED,
	B_FS_SIZE,
	B_FS_FREE,
	B_FS_FREE_INODES,
	B_HOMES,
	B_HARD_SUM,
};

static const struct {
	const char *name;
	const char *help;
	enum base_field field;
} base_families[] = {
	{ "homequota_base_path_watched", "1 while the base path is watched for new homes, 0 once it was removed or moved.",
	  B_WATCHED },
	{ "homequota_filesystem_size_bytes", "Size of the filesystem holding the base path.",
	  B_FS_SIZE },
	{ "homequota_filesystem_free_bytes", "Bytes of the filesystem available to unprivileged writers.",
	  B_FS_FREE },
	{ "homequota_filesystem_free_inodes", "Free inodes of the filesystem holding the base path.",
	  B_FS_FREE_INODES },
	{ "homequota_homes", "Homes managed in the base path.",
	  B_HOMES },
	{ "homequota_hard_limit_sum_bytes", "Sum of the hard limits of the homes in the base path.",
	  B_HARD_SUM },
};

static bool field_needs_fs(enum base_field f)
{
	return f == B_FS_SIZE || f == B_FS_FREE || f == B_FS_FREE_INODES;
}

static void put_bases(FILE *f, const struct metrics_snapshot *s, char **paths)
{
	for (size_t k = 0; k < sizeof(base_families) / sizeof(*base_families);
	     k++) {
		put_family(f, base_families[k].name, "gauge",
			   base_families[k].help);
		for (size_t i = 0; i < s->nbases; i++) {
			const struct metrics_base *b = &s->bases[i];
			struct label l = { "path", paths[i], true };
			uint64_t homes, hard, v;

			base_sums(s, i, &homes, &hard);
			switch (base_families[k].field) {
			case B_WATCHED: v = b->watched; break;
			case B_FS_SIZE: v = b->fs_size_bytes; break;
			case B_FS_FREE: v = b->fs_free_bytes; break;
			case B_FS_FREE_INODES: v = b->fs_free_inodes; break;
			case B_HOMES: v = homes; break;
			case B_HARD_SUM: v = hard; break;
			default: continue;
			}
			if (!b->have_fs && field_needs_fs(base_families[k].field))
				continue;
			put_u64(f, s, base_families[k].name, &l, 1, v);
		}
	}
}

static void put_counter(FILE *f, const struct metrics_snapshot *s,
			const char *metric, const char *help, uint64_t v)
{
	put_family(f, metric, "counter", help);
	put_u64(f, s, metric, NULL, 0, v);
}

static void put_daemon(FILE *f, const struct metrics_snapshot *s)
{
	const struct homes_stats *st = &s->stats;
	struct label l = { "kind", NULL, false };

	put_family(f, "homequota_last_full_pass_duration_seconds", "gauge",
		   "How long the last full pass over all homes took.");
	put_double(f, s, "homequota_last_full_pass_duration_seconds",
		   st->last_pass_seconds);
	put_family(f, "homequota_last_full_pass_timestamp_seconds", "gauge",
		   "Unix time the last full pass ended, 0 before the first.");
	put_double(f, s, "homequota_last_full_pass_timestamp_seconds",
		   st->last_pass_time);
	put_family(f, "homequota_last_full_pass_success", "gauge",
		   "1 when the last full pass met no error.");
	put_u64(f, s, "homequota_last_full_pass_success", NULL, 0,
		st->last_pass_ok);
	put_counter(f, s, "homequota_full_passes_total",
		    "Full passes over all homes.", st->passes);
	put_counter(f, s, "homequota_inotify_events_total",
		    "Events read from inotify.", st->events);
	put_counter(f, s, "homequota_inotify_overflows_total",
		    "Times the inotify queue overflowed.", st->overflows);
	put_family(f, "homequota_errors_total", "counter",
		   "Errors by kind: walk (adopting a tree), quota (project IDs and limits), io (reading base paths).");
	l.value = "walk";
	put_u64(f, s, "homequota_errors_total", &l, 1, st->walk_errors);
	l.value = "quota";
	put_u64(f, s, "homequota_errors_total", &l, 1,
		st->quota_errors + s->render_quota_errors);
	l.value = "io";
	put_u64(f, s, "homequota_errors_total", &l, 1, st->io_errors);
	put_counter(f, s, "homequota_homes_adopted_total",
		    "Homes whose existing tree was given their project ID.",
		    st->adopted);
	put_counter(f, s, "homequota_project_ids_set_total",
		    "Project IDs set on home directories.", st->ids_set);
	put_counter(f, s, "homequota_limits_set_total",
		    "Times a project's limits were set.", st->limits_set);
	put_counter(f, s, "homequota_filesystem_growths_total",
		    "Times a base path's filesystem was grown online.",
		    st->grows);
	put_counter(f, s, "homequota_filesystem_grow_failures_total",
		    "Attempts to grow a base path's filesystem that failed.",
		    st->grow_failures);
}

static void put_info(FILE *f, const struct metrics_snapshot *s)
{
	struct label l = { "version", s->version, false };
	char code[8];

	put_family(f, "homequota_build_info", "gauge",
		   "Always 1; the version label names the running build.");
	put_sample(f, s, "homequota_build_info", &l, 1, "1");
	if (!s->http)
		return;
	put_family(f, "homequota_http_requests_total", "counter",
		   "HTTP requests answered, by status code.");
	l.name = "code";
	l.value = code;
	for (size_t i = 0; i < HTTP_NCODES; i++) {
		snprintf(code, sizeof(code), "%u", http_code(i));
		put_u64(f, s, "homequota_http_requests_total", &l, 1,
			s->http->requests[i]);
	}
	put_counter(f, s, "homequota_metrics_renders_total",
		    "Times the metrics were rendered; scrapes within a second share one.",
		    s->http->renders);
}

int metrics_format(FILE *f, const struct metrics_snapshot *s)
{
	struct home_label *hl;
	char **paths;
	int rc = -ENOMEM;

	paths = calloc(s->nbases + 1, sizeof(*paths));
	hl = home_labels(s);
	if (!paths || !hl)
		goto out_free;
	for (size_t i = 0; i < s->nbases; i++) {
		paths[i] = escape_dup(s->bases[i].path);
		if (!paths[i])
			goto out_free;
	}

	for (size_t k = 0; k < sizeof(home_families) / sizeof(*home_families);
	     k++)
		put_home_family(f, s, &home_families[k], hl, paths);
	put_bases(f, s, paths);
	put_daemon(f, s);
	put_info(f, s);
	rc = ferror(f) ? -EIO : 0;
out_free:
	for (size_t i = 0; hl && i < s->nhomes; i++)
		free(hl[i].name);
	free(hl);
	for (size_t i = 0; paths && i < s->nbases; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

/* Growable arrays filled from the homes table. */
struct collect {
	struct metrics_base *bases;
	size_t nbases;
	struct metrics_home *homes;
	size_t nhomes;
	size_t cap;
};

static int collect_base(const struct homes_base_entry *e, void *arg)
{
	struct collect *c = arg;
	struct metrics_base *b;
	struct statvfs sv;
	void *n;

	n = realloc(c->bases, (c->nbases + 1) * sizeof(*c->bases));
	if (!n)
		return -ENOMEM;
	c->bases = n;
	b = &c->bases[c->nbases++];
	memset(b, 0, sizeof(*b));
	b->path = e->path;
	b->watched = e->watched;
	if (fstatvfs(e->fd, &sv) == 0) {
		b->have_fs = true;
		b->fs_size_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
		b->fs_free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
		b->fs_free_inodes = sv.f_favail;
	}
	return 0;
}

/* Adds one home, reading its usage and limits from the kernel now. */
static int collect_home(const struct homes_entry *e, void *arg)
{
	struct collect *c = arg;
	struct metrics_home *hm;
	size_t b;
	int rc;

	for (b = 0; b < c->nbases; b++)
		if (!strcmp(c->bases[b].path, e->base))
			break;
	if (b == c->nbases)
		return 0;
	if (c->nhomes == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		void *n = realloc(c->homes, cap * sizeof(*c->homes));

		if (!n)
			return -ENOMEM;
		c->homes = n;
		c->cap = cap;
	}
	hm = &c->homes[c->nhomes++];
	memset(hm, 0, sizeof(*hm));
	hm->name = e->name;
	hm->base = b;
	hm->id = e->id;
	hm->adopting = e->adopting;
	rc = quota_get(e->base_fd, e->id, &hm->q);
	if (rc == -ENOENT)
		memset(&hm->q, 0, sizeof(hm->q));
	else if (rc < 0)
		render_quota_errors++;
	hm->have_quota = rc == 0 || rc == -ENOENT;
	return 0;
}

int metrics_render(const struct homes *h, const struct config *cfg,
		   const struct http_stats *http, char **body, size_t *len)
{
	struct collect c = { 0 };
	struct metrics_snapshot s = { 0 };
	FILE *f;
	int rc;

	*body = NULL;
	rc = homes_foreach_base(h, collect_base, &c);
	if (rc == 0)
		rc = homes_foreach(h, collect_home, &c);
	if (rc < 0)
		goto out_free;

	s.version = HOMENFS_VERSION;
	s.labels = cfg->labels;
	s.nlabels = cfg->nlabels;
	s.bases = c.bases;
	s.nbases = c.nbases;
	s.homes = c.homes;
	s.nhomes = c.nhomes;
	s.stats = *homes_stats(h);
	s.render_quota_errors = render_quota_errors;
	s.http = http;
	f = open_memstream(body, len);
	if (!f) {
		rc = -errno;
		goto out_free;
	}
	rc = metrics_format(f, &s);
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	if (rc < 0) {
		free(*body);
		*body = NULL;
	}
out_free:
	free(c.bases);
	free(c.homes);
	return rc;
}

static int find_unwatched(const struct homes_base_entry *e, void *arg)
{
	const char **path = arg;

	if (e->watched)
		return 0;
	*path = e->path;
	return 1;
}

const char *metrics_health(const struct homes *h, char *buf, size_t len)
{
	const struct homes_stats *st = homes_stats(h);
	const char *path = NULL;

	if (homes_foreach_base(h, find_unwatched, &path) == 1) {
		snprintf(buf, len, "base path '%s' was removed or moved",
			 path);
		return buf;
	}
	if (st->passes == 0) {
		snprintf(buf, len, "no full pass yet");
		return buf;
	}
	if (!st->last_pass_ok) {
		snprintf(buf, len, "last full pass failed");
		return buf;
	}
	return NULL;
}
