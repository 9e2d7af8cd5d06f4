/*
 * homequota: the administrator's view of the project quotas homequotad
 * keeps.  Global options come before the command; each command parses its
 * own options.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "log.h"
#include "report.h"
#include "set.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "set", set_command },
	{ "report", report_command },
	{ "check", check_command },
};

static const struct option main_longopts[] = {
	{ "version", no_argument, NULL, 'V' },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/*
 * "+" stops at the first non-option, so that everything from the command
 * name on is left to the command.
 */
static int main_parse(int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "+:V" CLI_COMMON_OPTS,
				main_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_usage(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("homequota %s\n", HOMENFS_VERSION);
			return CLI_EXIT_OK;
		case 'd':
			cli_debug();
			break;
		default:
			return cli_option_error(c, argv, main_longopts);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *name;
	int rc;

	log_init("homequota", LOG_LEVEL_WARN);
	rc = main_parse(argc, argv);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cli_usage_error("no command given");

	name = argv[optind];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].run(argc - optind, argv + optind);
	}
	return cli_usage_error("unknown command '%s'", name);
}
