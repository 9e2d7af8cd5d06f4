/*
 * homequotad's event loop: one thread, one epoll set holding the signalfd,
 * the inotify descriptor and the full-pass timer.  Adoption walks run in
 * short slices between events, so a new home is handled within
 * milliseconds even while a large tree is being adopted.
 */
#ifndef HOMENFS_DAEMON_H
#define HOMENFS_DAEMON_H

#include "config.h"

/* Flags given on the command line; they win over the config file. */
struct daemon_flags {
	const char *config_path;	/* NULL: defaults and flags only */
	char **paths;
	size_t npaths;
	const char *hard_quota;		/* GiB */
	const char *wait_time;		/* seconds */
	const char *min_projid;
	const char *metrics_address;	/* numeric IPv4 or IPv6 */
	const char *metrics_port;
	const char *log_level;
	bool debug;
};

/*
 * Loads the config file named by flags (if any) into cfg and applies the
 * flags on top.  0 or -errno with one line in err.
 */
int daemon_load_config(const struct daemon_flags *flags, struct config *cfg,
		       char *err, size_t errlen);

/* Runs until SIGTERM or SIGINT.  Returns the process exit status. */
int daemon_run(const struct daemon_flags *flags, struct config *cfg);

#endif
