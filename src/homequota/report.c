#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "size.h"

/* The columns in print order. */
enum report_col {
	REPORT_COL_ID,
	REPORT_COL_USED,
	REPORT_COL_SOFT,
	REPORT_COL_HARD,
	REPORT_COL_INODES,
	REPORT_COL_ISOFT,
	REPORT_COL_IHARD,
	REPORT_NCOLS
};

static const char *const report_headers[REPORT_NCOLS] = {
	"ID", "USED", "SOFT", "HARD", "INODES", "ISOFT", "IHARD",
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
	r->rows[r->len++].q = *q;
	return 0;
}

void report_free(struct report *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
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
	case REPORT_NCOLS:
		break;
	}
	return 0;
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

	if (is_limit && v == 0)
		snprintf(buf, REPORT_CELL_LEN, "-");
	else if (is_size && !bytes)
		size_format(v, buf, REPORT_CELL_LEN);
	else
		snprintf(buf, REPORT_CELL_LEN, "%llu", (unsigned long long)v);
}

static void report_line(FILE *f, const size_t *width,
			char cells[][REPORT_CELL_LEN])
{
	for (enum report_col c = 0; c < REPORT_NCOLS; c++)
		fprintf(f, "%s%*s", c ? "  " : "", (int)width[c], cells[c]);
	fputc('\n', f);
}

/*
 * Two passes over the rows, one for the column widths and one to print,
 * so that columns line up however large the numbers get.
 */
void report_print(const struct report *r, FILE *f, bool bytes)
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
	report_line(f, width, cells);
	for (size_t i = 0; i < r->len; i++) {
		for (enum report_col c = 0; c < REPORT_NCOLS; c++)
			report_cell(&r->rows[i], c, bytes, cells[c]);
		report_line(f, width, cells);
	}
}

static const struct option report_longopts[] = {
	{ "bytes", no_argument, NULL, 'b' },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* Parses the options; returns -1 to go on, or an exit code. */
static int report_parse(int argc, char **argv, const char **path,
			bool *bytes)
{
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":b" CLI_COMMON_OPTS,
				report_longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			*bytes = true;
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
	*path = argv[optind];
	return -1;
}

static int report_collect(const struct quota_usage *q, void *arg)
{
	return report_add(arg, q);
}

/*
 * A filesystem that counts but does not enforce can still be reported on;
 * the probe's line then goes out as a warning.
 */
static int report_run(int fd, const char *path, bool bytes)
{
	struct report r = { 0 };
	struct quota_fsinfo info;
	char why[512];
	int rc;

	rc = quota_fs_probe_fd(fd, path, &info, why, sizeof(why));
	if (rc < 0 && !info.accounting)
		return cli_fail(0, "%s", why);
	if (rc < 0)
		fprintf(stderr, "homequota: warning: %s\n", why);

	/* Project 0 holds every file outside a home: not a home's record. */
	rc = quota_foreach(fd, 1, report_collect, &r);
	if (rc < 0) {
		report_free(&r);
		return cli_fail(rc, "cannot list the project quotas of '%s'",
				path);
	}
	log_debug("'%s': %zu project records", path, r.len);
	report_print(&r, stdout, bytes);
	report_free(&r);
	return CLI_EXIT_OK;
}

int report_command(int argc, char **argv)
{
	const char *path = NULL;
	bool bytes = false;
	int fd;
	int rc;

	rc = report_parse(argc, argv, &path, &bytes);
	if (rc >= 0)
		return rc;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return cli_fail(-errno, "cannot open '%s'", path);
	rc = report_run(fd, path, bytes);
	close(fd);
	return rc;
}
