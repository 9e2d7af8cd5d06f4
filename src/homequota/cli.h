/*
 * What the homequota commands share: exit codes, error messages in the
 * "homequota: ..." form, the usage text and option value parsing.  Each
 * command lives in its own file and is run as name_command(argc, argv),
 * with argv[0] the command name.
 */
#ifndef HOMENFS_CLI_H
#define HOMENFS_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,	/* the operation failed */
	CLI_EXIT_USAGE = 2,	/* the command line is wrong */
};

/* Options every command accepts, besides its own. */
#define CLI_COMMON_OPTS "hd"
#define CLI_COMMON_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "debug", no_argument, NULL, 'd' }

void cli_usage(FILE *f);

/* Prints "homequota: <message>" and a pointer to --help; returns 2. */
int cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * Prints "homequota: <message>", followed by ": <strerror>" when err is
 * non-zero (either sign); returns 1.
 */
int cli_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Handles what getopt_long returned for an option it did not accept
 * ('?' or ':', with ':' first in the option string); returns 2.
 */
int cli_option_error(int c, char **argv, const struct option *longopts);

/* -d in any position turns on debug logging. */
void cli_debug(void);

/* Decimal digits only, no sign or spaces: 0, -EINVAL or -ERANGE. */
int cli_parse_u64(const char *s, uint64_t *out);

/* A project ID for a home: 1 to UINT32_MAX - 1. */
int cli_parse_projid(const char *s, uint32_t *out);

#endif
