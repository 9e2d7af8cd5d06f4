#include "daemon.h"

#include <errno.h>
#include <arpa/inet.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "homes.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "uevent.h"

/* Longest slice of adoption work between two looks at the event queue. */
#define WORK_SLICE_MS 20
/*
 * Least time between two rewrites of the projects files from the loop.
 * Each rewrite sorts and fsyncs every home's line, so with thousands of
 * homes a burst of new ones would otherwise spend its time there.
 */
#define FLUSH_INTERVAL 1.0

struct daemon {
	const struct daemon_flags *flags;
	struct config *cfg;
	struct homes *homes;
	struct http *http;	/* NULL: metrics_port is 0 */
	int epfd;
	int sigfd;
	int timerfd;
	int growfd;		/* resize_interval timer, while auto_resize */
	int uevfd;		/* kernel uevents: a disk changed size */
	double last_flush;	/* CLOCK_MONOTONIC of the last rewrite */
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
	if (f->metrics_address) {
		struct in6_addr a;

		if (strlen(f->metrics_address) >= sizeof(cfg->metrics_address) ||
		    (inet_pton(AF_INET, f->metrics_address, &a) != 1 &&
		     inet_pton(AF_INET6, f->metrics_address, &a) != 1)) {
			snprintf(err, errlen, "--metrics-address: expected a numeric IPv4 or IPv6 address, got '%s'", f->metrics_address);
			return -EINVAL;
		}
		strcpy(cfg->metrics_address, f->metrics_address);
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

/* Fires every seconds, starting seconds from now; 0 disarms. */
static int arm_interval(int fd, double seconds)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)seconds;
	its.it_value.tv_nsec = (long)((seconds - floor(seconds)) * 1e9);
	if (seconds > 0 && !its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1000000;
	its.it_interval = its.it_value;
	if (timerfd_settime(fd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

static int arm_timers(struct daemon *d)
{
	int rc = arm_interval(d->timerfd, d->cfg->wait_time);

	if (rc == 0)
		rc = arm_interval(d->growfd, d->cfg->auto_resize ?
				  d->cfg->resize_interval : 0);
	return rc;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

static int render_metrics(void *arg, char **body, size_t *len)
{
	struct daemon *d = arg;

	return metrics_render(d->homes, d->cfg,
			      d->http ? http_stats(d->http) : NULL, body, len);
}

static const char *health(void *arg, char *buf, size_t len)
{
	struct daemon *d = arg;

	return metrics_health(d->homes, buf, len);
}

/* Starts the metrics server of d->cfg, if it has a port.  0 or -errno. */
static int http_start(struct daemon *d, char *err, size_t errlen)
{
	struct http_ops ops = { render_metrics, health, d };
	int rc;

	if (!d->cfg->metrics_port)
		return 0;
	rc = http_open(&d->http, d->cfg->metrics_address,
		       d->cfg->metrics_port, &ops, err, errlen);
	if (rc == 0 && d->epfd >= 0)
		rc = epoll_add(d->epfd, http_fd(d->http));
	return rc;
}

static void http_stop(struct daemon *d)
{
	http_close(d->http);
	d->http = NULL;
}

/*
 * After a reload: a new address or port means a new listener.  The old one
 * goes first, as the new one may need its port.
 */
static void http_restart(struct daemon *d, const char *old_address,
			 int old_port)
{
	char err[1024];

	if (!strcmp(old_address, d->cfg->metrics_address) &&
	    old_port == d->cfg->metrics_port)
		return;
	http_stop(d);
	if (http_start(d, err, sizeof(err)) < 0) {
		log_error("%s: metrics are off until the next reload", err);
		http_stop(d);
	}
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
	char err[1024], old_address[CONFIG_ADDRESS_LEN];
	int rc, old_port;

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
	snprintf(old_address, sizeof(old_address), "%s",
		 d->cfg->metrics_address);
	old_port = d->cfg->metrics_port;
	config_free(d->cfg);
	free(d->cfg);
	d->cfg = cfg;
	d->homes = homes;
	log_set_level(cfg->log_level);
	if (epoll_add(d->epfd, homes_inotify_fd(homes)) < 0)
		log_error("cannot poll the new inotify descriptor");
	arm_timers(d);
	http_restart(d, old_address, old_port);
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

static void handle_timer(struct daemon *d, int fd)
{
	uint64_t ticks;

	if (read(fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (fd == d->timerfd)
		homes_full_pass(d->homes);
	else
		homes_grow(d->homes);
}

/* A disk changed size: grow at once rather than at the next interval. */
static void handle_uevent(struct daemon *d)
{
	if (uevent_read_resize(d->uevfd) && d->cfg->auto_resize) {
		log_debug("a block device changed size: checking base paths");
		homes_grow(d->homes);
	}
}

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Milliseconds until the projects files may be rewritten, -1 if they need
 * no rewrite.  The first change after a quiet second is written at once.
 */
static int flush_wait_ms(struct daemon *d)
{
	double left;

	if (!homes_dirty(d->homes))
		return -1;
	left = d->last_flush + FLUSH_INTERVAL - monotonic();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

static void maybe_flush(struct daemon *d)
{
	if (flush_wait_ms(d) != 0)
		return;
	homes_flush(d->homes);
	d->last_flush = monotonic();
}

/*
 * How long epoll_wait() may sleep: not at all while adoption has work,
 * and no longer than the metrics server or a pending rewrite allow.
 */
static int loop_timeout(struct daemon *d)
{
	int t = d->http ? http_timeout_ms(d->http) : -1;
	int f = flush_wait_ms(d);

	if (homes_busy(d->homes))
		return 0;
	if (f >= 0 && (t < 0 || f < t))
		t = f;
	return t;
}

static int loop(struct daemon *d)
{
	struct epoll_event evs[8];

	while (!d->stop) {
		int n = epoll_wait(d->epfd, evs, 8, loop_timeout(d));

		if (n < 0 && errno != EINTR) {
			log_error_errno(-errno, "epoll_wait failed");
			return 1;
		}
		for (int i = 0; i < n && !d->stop; i++) {
			int fd = evs[i].data.fd;

			if (fd == d->sigfd)
				handle_signal(d);
			else if (fd == d->timerfd || fd == d->growfd)
				handle_timer(d, fd);
			else if (fd == d->uevfd)
				handle_uevent(d);
			else if (fd == homes_inotify_fd(d->homes))
				homes_handle_events(d->homes);
			else if (d->http && fd == http_fd(d->http))
				http_run(d->http);
		}
		/* Expires idle connections when nothing else woke us. */
		if (n == 0 && d->http)
			http_run(d->http);
		if (!d->stop && homes_busy(d->homes))
			homes_work(d->homes, WORK_SLICE_MS);
		maybe_flush(d);
	}
	return 0;
}

int daemon_run(const struct daemon_flags *flags, struct config *cfg)
{
	struct daemon d = { .flags = flags, .epfd = -1, .sigfd = -1,
			    .timerfd = -1, .growfd = -1, .uevfd = -1,
			    .last_flush = -FLUSH_INTERVAL };
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
	if (http_start(&d, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out_close;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d.growfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.sigfd < 0 || d.timerfd < 0 || d.growfd < 0 || d.epfd < 0 ||
	    epoll_add(d.epfd, d.sigfd) || epoll_add(d.epfd, d.timerfd) ||
	    epoll_add(d.epfd, d.growfd) ||
	    epoll_add(d.epfd, homes_inotify_fd(d.homes)) ||
	    (d.http && epoll_add(d.epfd, http_fd(d.http))) || arm_timers(&d)) {
		log_error_errno(-errno, "cannot set up the event loop");
		goto out_close;
	}

	d.uevfd = uevent_open();
	if (d.uevfd < 0)
		log_debug("no kernel uevents (%s): growth is noticed at each resize_interval",
			  strerror(-d.uevfd));
	else if (epoll_add(d.epfd, d.uevfd) < 0)
		log_debug("cannot poll kernel uevents");

	log_info("homequotad %s started", HOMENFS_VERSION);
	homes_full_pass(d.homes);
	log_info("first full pass done in %.3fs",
		 homes_stats(d.homes)->last_pass_seconds);
	if (d.cfg->auto_resize)
		homes_grow(d.homes);
	status = loop(&d);
	homes_flush(d.homes);
	log_info("stopped");
out_close:
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.timerfd >= 0)
		close(d.timerfd);
	if (d.growfd >= 0)
		close(d.growfd);
	if (d.uevfd >= 0)
		close(d.uevfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
	http_stop(&d);
	homes_close(d.homes);
out_config:
	config_free(d.cfg);
	free(d.cfg);
	return status;
}
