#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "log.h"

/* Mirrors the SYNOPSIS of homequota(8); keep the two in step. */
void cli_usage(FILE *f)
{
	fputs("usage: homequota [-d] set DIR --id N --hard SIZE [--soft SIZE]\n"
	      "                 [--inodes-hard N] [--inodes-soft N]\n"
	      "       homequota [-d] report [-abj] [-s KEY] PATH\n"
	      "       homequota [-d] check [-c CONFIG]\n"
	      "       homequota -h | -V\n"
	      "\n"
	      "commands:\n"
	      "  set      put DIR under project N with the given limits\n"
	      "  report   list the project quotas on PATH's filesystem\n"
	      "  check    compare every home with homequotad's config\n"
	      "\n"
	      "options:\n"
	      "  -a, --all          also list project 0 (report)\n"
	      "  -b, --bytes        print sizes in bytes (report)\n"
	      "  -c, --config FILE  the config to compare with (check),\n"
	      "                     default /etc/homequotad.yaml\n"
	      "  -d, --debug        log debug messages to stderr\n"
	      "  -h, --help         print this help and exit\n"
	      "  -j, --json         print the report as JSON (report)\n"
	      "  -s, --sort KEY     order rows by use, id or name (report)\n"
	      "  -V, --version      print the version and exit\n"
	      "\n"
	      "SIZE takes a binary suffix: 512M, 10G, 1.5T; see homequota(8).\n",
	      f);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("homequota: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'homequota --help' for more information.\n", stderr);
	return CLI_EXIT_USAGE;
}

int cli_fail(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("homequota: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err < 0 ? -err : err));
	fputc('\n', stderr);
	return CLI_EXIT_FAIL;
}

/* The long name of an option that has no short form, for messages. */
static const char *cli_long_name(int val, const struct option *longopts)
{
	for (; longopts && longopts->name; longopts++) {
		if (longopts->val == val)
			return longopts->name;
	}
	return "?";
}

/*
 * getopt's own messages would name the command, not the program, so they
 * are turned off (':' first in the option string) and written here.
 */
int cli_option_error(int c, char **argv, const struct option *longopts)
{
	if (c == ':' && optopt > 0 && optopt < 256 && isalnum(optopt))
		return cli_usage_error("option '-%c' needs a value", optopt);
	if (c == ':')
		return cli_usage_error("option '--%s' needs a value",
				       cli_long_name(optopt, longopts));
	if (optopt > 0 && optopt < 256 && isprint(optopt))
		return cli_usage_error("unknown option '-%c'", optopt);
	return cli_usage_error("unknown option '%s'", argv[optind - 1]);
}

void cli_debug(void)
{
	log_set_level(LOG_LEVEL_DEBUG);
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Project 0 is where every unmarked file lives, and -1 is not an ID. */
int cli_parse_projid(const char *s, uint32_t *out)
{
	uint64_t v;
	int rc;

	rc = cli_parse_u64(s, &v);
	if (rc < 0)
		return rc;
	if (v < 1 || v > UINT32_MAX - 1)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}
