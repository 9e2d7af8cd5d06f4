#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "projfile.h"
#include "size.h"

/* The columns in print order; NAME is last because names may hold spaces. */
enum report_col {
	REPORT_COL_ID,
	REPORT_COL_USED,
	REPORT_COL_SOFT,
	REPORT_COL_HARD,
	REPORT_COL_INODES,
	REPORT_COL_ISOFT,
	REPORT_COL_IHARD,
	REPORT_COL_PERCENT,
	REPORT_COL_FLAG,
	REPORT_NCOLS
};

static const char *const report_headers[REPORT_NCOLS] = {
	"ID", "USED", "SOFT", "HARD", "INODES", "ISOFT", "IHARD", "USE%",
	"FLAG",
};

#define REPORT_CELL_LEN 24	/* UINT64_MAX in decimal, and more */

int report_add(struct report *r, const struct quota_usage *q)
{
	struct report_row *rows;
	size_t cap;

	if (r->len == r->cap) {
		cap = r->cap ? r->cap * 2 : 64;
		rows = reallocarray(r->rows, cap, sizeof(*rows));
		if (!rows)
			return -ENOMEM;
		r->rows = rows;
		r->cap = cap;
	}
	r->rows[r->len].q = *q;
	r->rows[r->len].name = NULL;
	r->len++;
	return 0;
}

int report_name(struct report *r, uint32_t id, const char *name)
{
	size_t lo = 0, hi = r->len;
	struct report_row *row;
	char *copy;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->rows[mid].q.id == id) {
			lo = mid;
			break;
		}
		if (r->rows[mid].q.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= r->len || r->rows[lo].q.id != id)
		return -ENOENT;

	row = &r->rows[lo];
	if (row->name && strcmp(row->name, name) <= 0)
		return 0;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	free(row->name);
	row->name = copy;
	return 0;
}

static int report_cmp_id(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int report_by_id(const void *pa, const void *pb)
{
	const struct report_row *a = pa, *b = pb;

	return report_cmp_id(a->q.id, b->q.id);
}

static int report_by_use(const void *pa, const void *pb)
{
	const struct report_row *a = pa, *b = pb;

	if (a->q.bytes_used != b->q.bytes_used)
		return a->q.bytes_used > b->q.bytes_used ? -1 : 1;
	return report_cmp_id(a->q.id, b->q.id);
}

static int report_by_name(const void *pa, const void *pb)
{
	const struct report_row *a = pa, *b = pb;
	int c;

	if (a->name && b->name) {
		c = strcmp(a->name, b->name);
		if (c)
			return c;
	} else if (a->name || b->name) {
		return a->name ? -1 : 1;
	}
	return report_cmp_id(a->q.id, b->q.id);
}

/*
 * Every order ends in the ID, which is unique, so qsort's lack of
 * stability never shows.
 */
void report_sort(struct report *r, enum report_sort by)
{
	int (*cmp)(const void *, const void *) = report_by_id;

	if (by == REPORT_SORT_USE)
		cmp = report_by_use;
	else if (by == REPORT_SORT_NAME)
		cmp = report_by_name;
	if (r->len > 1)
		qsort(r->rows, r->len, sizeof(*r->rows), cmp);
}

/*
 * 100 * used / hard, rounded down, exactly and without overflow: the
 * fractional part rem / hard is scaled by adding rem to itself 100 times
 * modulo hard, counting the wraps.
 */
uint64_t report_percent(const struct quota_usage *q)
{
	uint64_t hard = q->bytes_hard;
	uint64_t whole, rem, frac = 0, acc = 0;

	if (!hard)
		return REPORT_NO_PERCENT;
	whole = q->bytes_used / hard;
	rem = q->bytes_used % hard;
	if (whole > (REPORT_NO_PERCENT - 1) / 100 - 1)
		return REPORT_NO_PERCENT - 1;
	for (int i = 0; i < 100; i++) {
		if (acc >= hard - rem) {
			acc -= hard - rem;
			frac++;
		} else {
			acc += rem;
		}
	}
	return whole * 100 + frac;
}

/*
 * used >= 0.9 * hard, in integers: with hard = 10k + r (r < 10) the bound
 * 9k + 0.9r rounds up to 9k + r, which is hard - k.
 */
bool report_over_90(const struct quota_usage *q)
{
	if (!q->bytes_hard)
		return false;
	return q->bytes_used >= q->bytes_hard - q->bytes_hard / 10;
}

static uint64_t report_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void report_totals(const struct report *r, struct report_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->rows = r->len;
	for (size_t i = 0; i < r->len; i++) {
		t->used = report_sat_add(t->used, r->rows[i].q.bytes_used);
		t->hard = report_sat_add(t->hard, r->rows[i].q.bytes_hard);
		if (report_over_90(&r->rows[i].q))
			t->over_90++;
	}
}

static uint64_t report_value(const struct quota_usage *q, enum report_col c)
{
	switch (c) {
	case REPORT_COL_ID:
		return q->id;
	case REPORT_COL_USED:
		return q->bytes_used;
	case REPORT_COL_SOFT:
		return q->bytes_soft;
	case REPORT_COL_HARD:
		return q->bytes_hard;
	case REPORT_COL_INODES:
		return q->inodes_used;
	case REPORT_COL_ISOFT:
		return q->inodes_soft;
	case REPORT_COL_IHARD:
		return q->inodes_hard;
	default:
		break;
	}
	return 0;
}

/* A size in the form the table uses: human unless bytes is set. */
static void report_size(uint64_t v, bool bytes, char *buf)
{
	if (bytes)
		snprintf(buf, REPORT_CELL_LEN, "%llu", (unsigned long long)v);
	else
		size_format(v, buf, REPORT_CELL_LEN);
}

/*
 * Formats one cell into buf (REPORT_CELL_LEN bytes).  A limit of 0 means
 * none; sizes are human unless bytes is set; counts are always exact.
 */
static void report_cell(const struct report_row *row, enum report_col c,
			bool bytes, char *buf)
{
	uint64_t v = report_value(&row->q, c);
	bool is_limit = c == REPORT_COL_SOFT || c == REPORT_COL_HARD ||
			c == REPORT_COL_ISOFT || c == REPORT_COL_IHARD;
	bool is_size = c == REPORT_COL_USED || c == REPORT_COL_SOFT ||
		       c == REPORT_COL_HARD;

	if (c == REPORT_COL_PERCENT) {
		v = report_percent(&row->q);
		if (v == REPORT_NO_PERCENT)
			snprintf(buf, REPORT_CELL_LEN, "-");
		else
			snprintf(buf, REPORT_CELL_LEN, "%llu%%",
				 (unsigned long long)v);
	} else if (c == REPORT_COL_FLAG) {
		snprintf(buf, REPORT_CELL_LEN, "%s",
			 report_over_90(&row->q) ? "!" : "-");
	} else if (is_limit && v == 0) {
		snprintf(buf, REPORT_CELL_LEN, "-");
	} else if (is_size) {
		report_size(v, bytes, buf);
	} else {
		snprintf(buf, REPORT_CELL_LEN, "%llu", (unsigned long long)v);
	}
}

/* Numbers align right; the name goes last, unpadded. */
static void report_line(FILE *f, const size_t *width,
			char cells[][REPORT_CELL_LEN], const char *name)
{
	for (enum report_col c = 0; c < REPORT_NCOLS; c++)
		fprintf(f, "%s%*s", c ? "  " : "", (int)width[c], cells[c]);
	fprintf(f, "  %s\n", name);
}

static void report_print_totals(const struct report *r, FILE *f, bool bytes)
{
	struct report_totals t;
	char used[REPORT_CELL_LEN], hard[REPORT_CELL_LEN];

	report_totals(r, &t);
	report_size(t.used, bytes, used);
	report_size(t.hard, bytes, hard);
	fprintf(f, "total: %zu project%s, used %s, hard limits %s, %zu at or above 90%%\n",
		t.rows, t.rows == 1 ? "" : "s", used, hard, t.over_90);
}

/*
 * Two passes over the rows, one for the column widths and one to print,
 * so that columns line up however large the numbers get.
 */
int report_print(const struct report *r, FILE *f, bool bytes)
{
	char cells[REPORT_NCOLS][REPORT_CELL_LEN];
	size_t width[REPORT_NCOLS];

	for (enum report_col c = 0; c < REPORT_NCOLS; c++)
		width[c] = strlen(report_headers[c]);
	for (size_t i = 0; i < r->len; i++) {
		for (enum report_col c = 0; c < REPORT_NCOLS; c++) {
			report_cell(&r->rows[i], c, bytes, cells[c]);
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
		}
	}

	for (enum report_col c = 0; c < REPORT_NCOLS; c++)
		snprintf(cells[c], REPORT_CELL_LEN, "%s", report_headers[c]);
	report_line(f, width, cells, "NAME");
	for (size_t i = 0; i < r->len; i++) {
		char *shown = NULL;

		if (r->rows[i].name) {
			shown = projfile_escape(r->rows[i].name);
			if (!shown)
				return -ENOMEM;
		}
		for (enum report_col c = 0; c < REPORT_NCOLS; c++)
			report_cell(&r->rows[i], c, bytes, cells[c]);
		report_line(f, width, cells, shown ? shown : "-");
		free(shown);
	}
	report_print_totals(r, f, bytes);
	return 0;
}

/*
 * The length of the valid UTF-8 sequence at s, or 0 when s does not start
 * one: overlong forms, surrogates and code points above U+10FFFF are not
 * valid.  The terminating NUL is never a continuation byte, so a sequence
 * cut short by it is invalid.
 */
static size_t report_utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void report_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t len = report_utf8_len(p);

		if (len == 0) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (len > 1)
			fwrite(p, 1, len, f);
		else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
		p += len;
	}
	fputc('"', f);
}

static void report_json_row(const struct report_row *row, FILE *f)
{
	const struct quota_usage *q = &row->q;
	uint64_t pct = report_percent(q);

	fprintf(f, "{\"id\":%u,\"name\":", q->id);
	if (row->name)
		report_json_string(f, row->name);
	else
		fputs("null", f);
	fprintf(f, ",\"used_bytes\":%llu,\"soft_bytes\":%llu,\"hard_bytes\":%llu,\"inodes_used\":%llu,\"inodes_soft\":%llu,\"inodes_hard\":%llu,",
		(unsigned long long)q->bytes_used,
		(unsigned long long)q->bytes_soft,
		(unsigned long long)q->bytes_hard,
		(unsigned long long)q->inodes_used,
		(unsigned long long)q->inodes_soft,
		(unsigned long long)q->inodes_hard);
	if (pct == REPORT_NO_PERCENT)
		fputs("\"percent_used\":null", f);
	else
		fprintf(f, "\"percent_used\":%llu", (unsigned long long)pct);
	fprintf(f, ",\"over_90\":%s}", report_over_90(q) ? "true" : "false");
}

/* One project per line, so that line tools can still pick rows out. */
int report_print_json(const struct report *r, const char *path, FILE *f)
{
	struct report_totals t;

	fputs("{\"path\":", f);
	report_json_string(f, path);
	fputs(",\"projects\":[\n", f);
	for (size_t i = 0; i < r->len; i++) {
		report_json_row(&r->rows[i], f);
		fputs(i + 1 < r->len ? ",\n" : "\n", f);
	}
	report_totals(r, &t);
	fprintf(f, "],\"totals\":{\"projects\":%zu,\"used_bytes\":%llu,\"hard_bytes\":%llu,\"over_90\":%zu}}\n",
		t.rows, (unsigned long long)t.used,
		(unsigned long long)t.hard, t.over_90);
	return 0;
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->len; i++)
		free(r->rows[i].name);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* The same rule homequotad applies to the entries of a base path. */
static bool report_home_name_ok(const char *name, bool fs_root)
{
	if (name[0] == '.')
		return false;
	return !(fs_root && strcmp(name, "lost+found") == 0);
}

/*
 * Reads one entry of the base directory dfd.  Returns 1 and fills h for a
 * home, 0 for an entry that is not one (gone, not a directory, another
 * filesystem's mount point), or -ENOMEM.  Other errors are kept in h->err
 * so the caller can name the home.
 */
static int report_home_read(int dfd, const char *name, dev_t dev,
			    struct report_home *h)
{
	struct stat st;
	int fd, rc;

	memset(h, 0, sizeof(*h));
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return 0;
	if (fd < 0) {
		h->err = -errno;
	} else if (fstat(fd, &st) < 0) {
		h->err = -errno;
	} else if (st.st_dev != dev) {
		close(fd);
		return 0;
	} else {
		rc = quota_get_projid(fd, &h->id, &h->inherit);
		if (rc < 0)
			h->err = rc;
	}
	if (fd >= 0)
		close(fd);
	h->name = strdup(name);
	return h->name ? 1 : -ENOMEM;
}

static int report_home_cmp(const void *pa, const void *pb)
{
	const struct report_home *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static int report_home_push(struct report_home **v, size_t *n, size_t *cap,
			    const struct report_home *h)
{
	struct report_home *nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		nv = reallocarray(*v, *cap, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = *h;
	return 0;
}

/* Reads every entry of d into *out; 0 or a negative errno. */
static int report_homes_read_dir(DIR *d, dev_t dev, bool fs_root,
				 struct report_home **out, size_t *n)
{
	struct report_home h;
	struct dirent *de;
	size_t cap = 0;
	int rc;

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			return errno ? -errno : 0;
		if (!report_home_name_ok(de->d_name, fs_root) ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		rc = report_home_read(dirfd(d), de->d_name, dev, &h);
		if (rc == 1)
			rc = report_home_push(out, n, &cap, &h);
		if (rc < 0) {
			free(h.name);
			return rc;
		}
	}
}

int report_homes_scan(int dirfd, const char *path, struct report_home **out,
		      size_t *n)
{
	struct stat st, parent;
	bool fs_root;
	DIR *d;
	int fd, rc;

	*out = NULL;
	*n = 0;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	fs_root = fstatat(fd, "..", &parent, 0) == 0 &&
		  (parent.st_dev != st.st_dev || parent.st_ino == st.st_ino);
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}

	rc = report_homes_read_dir(d, st.st_dev, fs_root, out, n);
	closedir(d);
	if (rc < 0) {
		report_homes_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), report_home_cmp);
	log_debug("'%s': %zu homes", path, *n);
	return 0;
}

void report_homes_free(struct report_home *homes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(homes[i].name);
	free(homes);
}

struct report_args {
	const char *path;
	bool bytes;
	bool json;
	bool all;
	enum report_sort sort;
};

static const struct option report_longopts[] = {
	{ "bytes", no_argument, NULL, 'b' },
	{ "json", no_argument, NULL, 'j' },
	{ "sort", required_argument, NULL, 's' },
	{ "all", no_argument, NULL, 'a' },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int report_parse_sort(const char *val, enum report_sort *by)
{
	if (strcmp(val, "id") == 0)
		*by = REPORT_SORT_ID;
	else if (strcmp(val, "use") == 0)
		*by = REPORT_SORT_USE;
	else if (strcmp(val, "name") == 0)
		*by = REPORT_SORT_NAME;
	else
		return cli_usage_error("report: unknown sort key '%s': use id, use or name",
				       val);
	return -1;
}

/* Parses the options; returns -1 to go on, or an exit code. */
static int report_parse(int argc, char **argv, struct report_args *a)
{
	int c, rc;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((c = getopt_long(argc, argv, ":bjs:a" CLI_COMMON_OPTS,
				report_longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			a->bytes = true;
			break;
		case 'j':
			a->json = true;
			break;
		case 'a':
			a->all = true;
			break;
		case 's':
			rc = report_parse_sort(optarg, &a->sort);
			if (rc >= 0)
				return rc;
			break;
		case 'h':
			cli_usage(stdout);
			return CLI_EXIT_OK;
		case 'd':
			cli_debug();
			break;
		default:
			return cli_option_error(c, argv, report_longopts);
		}
	}
	if (optind >= argc)
		return cli_usage_error("report: no path given");
	if (optind + 1 < argc)
		return cli_usage_error("report: unexpected argument '%s'",
				       argv[optind + 1]);
	a->path = argv[optind];
	return -1;
}

static int report_collect(const struct quota_usage *q, void *arg)
{
	return report_add(arg, q);
}

static void report_warn_home(const struct report_home *h, const char *path)
{
	char *shown = projfile_escape(h->name);

	fprintf(stderr, "homequota: warning: cannot read the project id of '%s' in '%s': %s\n",
		shown ? shown : "?", path, strerror(-h->err));
	free(shown);
}

/*
 * Names the rows after the homes directly inside path.  Project 0 is
 * where every unmarked file lives, so a home showing it owns nothing; a
 * path that is not a directory simply has no homes.
 */
static int report_name_rows(struct report *r, int fd, const char *path)
{
	struct report_home *homes;
	size_t n;
	int rc;

	rc = report_homes_scan(fd, path, &homes, &n);
	if (rc == -ENOTDIR)
		return 0;
	if (rc < 0)
		return cli_fail(rc, "cannot list the homes in '%s'", path);
	for (size_t i = 0; i < n && rc >= 0; i++) {
		if (homes[i].err) {
			report_warn_home(&homes[i], path);
			continue;
		}
		if (homes[i].id == 0)
			continue;
		rc = report_name(r, homes[i].id, homes[i].name);
		if (rc == -ENOENT)
			rc = 0;
	}
	report_homes_free(homes, n);
	if (rc < 0)
		return cli_fail(rc, "cannot name the projects of '%s'", path);
	return 0;
}

/*
 * A filesystem that counts but does not enforce can still be reported on;
 * the probe's line then goes out as a warning.
 */
static int report_run(int fd, const struct report_args *a)
{
	struct report r = { 0 };
	struct quota_fsinfo info;
	char why[512];
	int rc;

	rc = quota_fs_probe_fd(fd, a->path, &info, why, sizeof(why));
	if (rc < 0 && !info.accounting)
		return cli_fail(0, "%s", why);
	if (rc < 0)
		fprintf(stderr, "homequota: warning: %s\n", why);

	rc = quota_foreach(fd, a->all ? 0 : 1, report_collect, &r);
	if (rc < 0) {
		rc = cli_fail(rc, "cannot list the project quotas of '%s'",
			      a->path);
		goto out_free;
	}
	log_debug("'%s': %zu project records", a->path, r.len);
	rc = report_name_rows(&r, fd, a->path);
	if (rc)
		goto out_free;

	report_sort(&r, a->sort);
	if (a->json)
		rc = report_print_json(&r, a->path, stdout);
	else
		rc = report_print(&r, stdout, a->bytes);
	if (rc < 0)
		rc = cli_fail(rc, "cannot print the report");
	else if (fflush(stdout) != 0)
		rc = cli_fail(-errno, "cannot write the report");
out_free:
	report_free(&r);
	return rc;
}

int report_command(int argc, char **argv)
{
	struct report_args a;
	int fd;
	int rc;

	rc = report_parse(argc, argv, &a);
	if (rc >= 0)
		return rc;

	fd = open(a.path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return cli_fail(-errno, "cannot open '%s'", a.path);
	rc = report_run(fd, &a);
	close(fd);
	return rc;
}
