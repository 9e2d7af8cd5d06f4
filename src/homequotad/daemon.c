#include "daemon.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "homes.h"
#include "log.h"

/* Longest slice of adoption work between two looks at the event queue. */
#define WORK_SLICE_MS 20

struct daemon {
	const struct daemon_flags *flags;
	struct config *cfg;
	struct homes *homes;
	int epfd;
	int sigfd;
	int timerfd;
	bool stop;
};

static int parse_number(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Applies one command-line flag; err names the flag on failure. */
static int apply_flags(const struct daemon_flags *f, struct config *cfg,
		       char *err, size_t errlen)
{
	double v;

	if (f->npaths) {
		for (size_t i = 0; i < cfg->npaths; i++)
			free(cfg->paths[i]);
		free(cfg->paths);
		cfg->paths = calloc(f->npaths, sizeof(*cfg->paths));
		if (!cfg->paths)
			return -ENOMEM;
		cfg->npaths = 0;
		for (size_t i = 0; i < f->npaths; i++) {
			if (f->paths[i][0] != '/') {
				snprintf(err, errlen, "-p: '%s' is not an absolute path", f->paths[i]);
				return -EINVAL;
			}
			cfg->paths[i] = strdup(f->paths[i]);
			if (!cfg->paths[i])
				return -ENOMEM;
			cfg->npaths++;
		}
	}
	if (f->hard_quota) {
		if (parse_number(f->hard_quota, 1.0 / (1 << 20), 1 << 30, &v)) {
			snprintf(err, errlen, "--hard-quota: expected a number of GiB greater than 0, got '%s'", f->hard_quota);
			return -EINVAL;
		}
		cfg->hard_bytes = ((uint64_t)ceil(v * 1048576.0)) * 1024;
		if (cfg->soft_bytes > cfg->hard_bytes)
			cfg->soft_bytes = 0;
	}
	if (f->wait_time) {
		if (parse_number(f->wait_time, 0.001, 86400, &v)) {
			snprintf(err, errlen, "--wait-time: expected seconds from 0.001 to 86400, got '%s'", f->wait_time);
			return -EINVAL;
		}
		cfg->wait_time = v;
	}
	if (f->min_projid) {
		if (parse_number(f->min_projid, 1, 4294967294.0, &v) ||
		    v != floor(v)) {
			snprintf(err, errlen, "--min-projid: expected a whole number from 1 to 4294967294, got '%s'", f->min_projid);
			return -EINVAL;
		}
		cfg->min_projid = (uint32_t)v;
	}
	if (f->metrics_port) {
		if (parse_number(f->metrics_port, 0, 65535, &v) ||
		    v != floor(v)) {
			snprintf(err, errlen, "--metrics-port: expected a port from 0 to 65535, got '%s'", f->metrics_port);
			return -EINVAL;
		}
		cfg->metrics_port = (int)v;
	}
	if (f->log_level &&
	    log_level_parse(f->log_level, &cfg->log_level) < 0) {
		snprintf(err, errlen, "--log-level: expected error, warn, info or debug, got '%s'", f->log_level);
		return -EINVAL;
	}
	if (f->debug)
		cfg->log_level = LOG_LEVEL_DEBUG;
	return 0;
}

int daemon_load_config(const struct daemon_flags *flags, struct config *cfg,
		       char *err, size_t errlen)
{
	int rc;

	config_init_defaults(cfg);
	if (flags->config_path) {
		rc = config_load_file(cfg, flags->config_path, err, errlen);
		if (rc < 0)
			return rc;
	}
	rc = apply_flags(flags, cfg, err, errlen);
	if (rc == 0 && cfg->npaths == 0) {
		snprintf(err, errlen, "no base paths: set 'paths' in the config file or give -p");
		rc = -EINVAL;
	}
	if (rc < 0)
		config_free(cfg);
	return rc;
}

static int arm_timer(struct daemon *d)
{
	struct itimerspec its = { 0 };
	double w = d->cfg->wait_time;

	its.it_value.tv_sec = (time_t)w;
	its.it_value.tv_nsec = (long)((w - floor(w)) * 1e9);
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1000000;
	its.it_interval = its.it_value;
	if (timerfd_settime(d->timerfd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

/*
 * SIGHUP: load the config again and switch to it only when it is valid and
 * every base path passes the start-up checks; otherwise keep running with
 * the old one and say why.
 */
static void reload(struct daemon *d)
{
	struct config *cfg;
	struct homes *homes;
	char err[1024];
	int rc;

	log_info("reloading configuration");
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return;
	rc = daemon_load_config(d->flags, cfg, err, sizeof(err));
	if (rc == 0) {
		rc = homes_open(&homes, cfg, err, sizeof(err));
		if (rc < 0)
			config_free(cfg);
	}
	if (rc < 0) {
		log_error("reload failed, keeping the old configuration: %s",
			  err);
		free(cfg);
		return;
	}
	homes_flush(d->homes);
	homes_close(d->homes);
	config_free(d->cfg);
	free(d->cfg);
	d->cfg = cfg;
	d->homes = homes;
	log_set_level(cfg->log_level);
	if (epoll_add(d->epfd, homes_inotify_fd(homes)) < 0)
		log_error("cannot poll the new inotify descriptor");
	arm_timer(d);
	homes_full_pass(d->homes);
	log_info("configuration reloaded");
}

static void handle_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("stopping on signal %u", si.ssi_signo);
			d->stop = true;
			break;
		case SIGHUP:
			reload(d);
			break;
		}
	}
}

static void handle_timer(struct daemon *d)
{
	uint64_t ticks;

	if (read(d->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	homes_full_pass(d->homes);
}

static int loop(struct daemon *d)
{
	struct epoll_event evs[8];

	while (!d->stop) {
		int timeout = homes_busy(d->homes) ? 0 : -1;
		int n = epoll_wait(d->epfd, evs, 8, timeout);

		if (n < 0 && errno != EINTR) {
			log_error_errno(-errno, "epoll_wait failed");
			return 1;
		}
		for (int i = 0; i < n && !d->stop; i++) {
			int fd = evs[i].data.fd;

			if (fd == d->sigfd)
				handle_signal(d);
			else if (fd == d->timerfd)
				handle_timer(d);
			else if (fd == homes_inotify_fd(d->homes))
				homes_handle_events(d->homes);
		}
		if (!d->stop && homes_busy(d->homes))
			homes_work(d->homes, WORK_SLICE_MS);
		homes_flush(d->homes);
	}
	return 0;
}

int daemon_run(const struct daemon_flags *flags, struct config *cfg)
{
	struct daemon d = { .flags = flags, .epfd = -1, .sigfd = -1,
			    .timerfd = -1 };
	char err[1024];
	sigset_t mask;
	int status = 1;

	d.cfg = malloc(sizeof(*cfg));
	if (!d.cfg)
		return 1;
	*d.cfg = *cfg;
	if (homes_open(&d.homes, d.cfg, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out_config;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.sigfd < 0 || d.timerfd < 0 || d.epfd < 0 ||
	    epoll_add(d.epfd, d.sigfd) || epoll_add(d.epfd, d.timerfd) ||
	    epoll_add(d.epfd, homes_inotify_fd(d.homes)) || arm_timer(&d)) {
		log_error_errno(-errno, "cannot set up the event loop");
		goto out_close;
	}

	log_info("homequotad %s started", HOMENFS_VERSION);
	homes_full_pass(d.homes);
	log_info("first full pass done in %.3fs",
		 homes_stats(d.homes)->last_pass_seconds);
	status = loop(&d);
	homes_flush(d.homes);
	log_info("stopped");
out_close:
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.timerfd >= 0)
		close(d.timerfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
	homes_close(d.homes);
out_config:
	config_free(d.cfg);
	free(d.cfg);
	return status;
}
