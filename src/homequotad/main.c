/*
 * homequotad: keeps every home directory under its own project quota.
 * See man/homequotad.8.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"

enum {
	OPT_HARD_QUOTA = 256,
	OPT_WAIT_TIME,
	OPT_MIN_PROJID,
	OPT_METRICS_ADDRESS,
	OPT_METRICS_PORT,
	OPT_LOG_LEVEL,
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: homequotad [-dhnV] [-c file] [-p path]... [--hard-quota GiB]\n"
		"                  [--wait-time seconds] [--min-projid id]\n"
		"                  [--metrics-address address] [--metrics-port port]\n"
		"                  [--log-level level]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "path", required_argument, NULL, 'p' },
		{ "check", no_argument, NULL, 'n' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "hard-quota", required_argument, NULL, OPT_HARD_QUOTA },
		{ "wait-time", required_argument, NULL, OPT_WAIT_TIME },
		{ "min-projid", required_argument, NULL, OPT_MIN_PROJID },
		{ "metrics-address", required_argument, NULL,
		  OPT_METRICS_ADDRESS },
		{ "metrics-port", required_argument, NULL, OPT_METRICS_PORT },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_flags flags = { 0 };
	struct config cfg;
	char err[1024];
	bool check = false;
	int c;

	log_init("homequotad", LOG_LEVEL_INFO);
	flags.paths = calloc((size_t)argc, sizeof(*flags.paths));
	if (!flags.paths)
		return 1;
	while ((c = getopt_long(argc, argv, "c:p:ndhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': flags.config_path = optarg; break;
		case 'p': flags.paths[flags.npaths++] = optarg; break;
		case 'n': check = true; break;
		case 'd': flags.debug = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("homequotad %s\n", HOMENFS_VERSION); return 0;
		case OPT_HARD_QUOTA: flags.hard_quota = optarg; break;
		case OPT_WAIT_TIME: flags.wait_time = optarg; break;
		case OPT_MIN_PROJID: flags.min_projid = optarg; break;
		case OPT_METRICS_ADDRESS: flags.metrics_address = optarg; break;
		case OPT_METRICS_PORT: flags.metrics_port = optarg; break;
		case OPT_LOG_LEVEL: flags.log_level = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "homequotad: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!flags.config_path && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		flags.config_path = CONFIG_DEFAULT_PATH;

	if (daemon_load_config(&flags, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "homequotad: %s\n", err);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		config_free(&cfg);
		return 0;
	}
	log_set_level(cfg.log_level);
	c = daemon_run(&flags, &cfg);
	free(flags.paths);
	return c;
}
