#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Enough for 200 concurrent scrapes with room to spare. */
#define HTTP_MAX_CONNECTIONS 256
/* Seconds a connection may stay idle or stall before it is closed. */
#define HTTP_TIMEOUT 10
/* Per-connection memory: request line and headers must fit in it. */
#define HTTP_MEMORY_LIMIT (32 * 1024)
/* Seconds a rendered /metrics body is served again. */
#define HTTP_METRICS_MAX_AGE 1.0

#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CONTENT_TYPE_TEXT "text/plain; charset=utf-8"

struct http {
	struct MHD_Daemon *mhd;
	struct http_ops ops;
	struct MHD_Response *metrics;	/* cached /metrics answer */
	double metrics_time;		/* monotonic time of rendering */
	struct http_stats stats;
};

static const unsigned http_codes[HTTP_NCODES] = HTTP_CODES;

unsigned http_code(size_t i)
{
	return i < HTTP_NCODES ? http_codes[i] : 0;
}

static double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libmicrohttpd's own messages (bad requests and the like): debug only. */
__attribute__((format(printf, 2, 0)))
static void http_log(void *arg, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_debug("http: %s", line);
}

/* Queues r with code and counts it; r stays the caller's. */
static enum MHD_Result http_queue(struct http *s, struct MHD_Connection *c,
				  unsigned code, struct MHD_Response *r)
{
	for (size_t i = 0; i < HTTP_NCODES; i++)
		if (http_codes[i] == code)
			s->stats.requests[i]++;
	return MHD_queue_response(c, code, r);
}

/* A short plain-text answer. */
static enum MHD_Result http_text(struct http *s, struct MHD_Connection *c,
				 unsigned code, const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				CONTENT_TYPE_TEXT);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = http_queue(s, c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * The /metrics answer, rendered again only when the cached one is older
 * than a second.  libmicrohttpd counts references to a response, so
 * dropping the cache here leaves connections still sending the old body
 * unharmed.
 */
static struct MHD_Response *http_metrics(struct http *s)
{
	double now = now_monotonic();
	struct MHD_Response *r;
	char *body;
	size_t len;
	int rc;

	if (s->metrics && now - s->metrics_time < HTTP_METRICS_MAX_AGE)
		return s->metrics;
	s->stats.renders++;
	rc = s->ops.render(s->ops.arg, &body, &len);
	if (rc < 0) {
		log_warn_errno(rc, "cannot render metrics");
		return NULL;
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				CONTENT_TYPE_METRICS);
	if (s->metrics)
		MHD_destroy_response(s->metrics);
	s->metrics = r;
	s->metrics_time = now;
	return r;
}

/*
 * Answers every request on its first call, before any body is read: no
 * route takes a body, and libmicrohttpd closes the connection instead of
 * reading one that is left over.
 */
static enum MHD_Result http_handle(void *cls, struct MHD_Connection *c,
				   const char *url, const char *method,
				   const char *version, const char *upload,
				   size_t *upload_len, void **state)
{
	struct http *s = cls;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) ||
		   !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool metrics = !strcmp(url, "/metrics");
	char reason[512], text[520];
	struct MHD_Response *r;

	if (!metrics && strcmp(url, "/healthz"))
		return http_text(s, c, MHD_HTTP_NOT_FOUND, "not found\n");
	if (!get)
		return http_text(s, c, MHD_HTTP_METHOD_NOT_ALLOWED,
				 "method not allowed\n");
	if (metrics) {
		r = http_metrics(s);
		if (!r)
			return http_text(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
					 "cannot render metrics\n");
		return http_queue(s, c, MHD_HTTP_OK, r);
	}
	if (!s->ops.health(s->ops.arg, reason, sizeof(reason)))
		return http_text(s, c, MHD_HTTP_OK, "ok\n");
	snprintf(text, sizeof(text), "%s\n", reason);
	return http_text(s, c, MHD_HTTP_SERVICE_UNAVAILABLE, text);
}

/* A listening TCP socket on address:port.  Returns it or -errno. */
static int http_listen(const char *address, int port, bool *v6)
{
	struct sockaddr_in in4 = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	const struct sockaddr *sa = (const struct sockaddr *)&in4;
	socklen_t salen = sizeof(in4);
	int fd, one = 1;

	*v6 = false;
	in4.sin_port = htons((uint16_t)port);
	in6.sin6_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, address, &in4.sin_addr) != 1) {
		if (inet_pton(AF_INET6, address, &in6.sin6_addr) != 1)
			return -EINVAL;
		sa = (const struct sockaddr *)&in6;
		salen = sizeof(in6);
		*v6 = true;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, sa, salen) < 0 || listen(fd, SOMAXCONN) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int http_open(struct http **out, const char *address, int port,
	      const struct http_ops *ops, char *err, size_t errlen)
{
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct http *s;
	bool v6;
	int fd;

	fd = http_listen(address, port, &v6);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen for metrics on '%s' port %d: %s",
			 address, port, fd == -EINVAL ?
			 "not a numeric IPv4 or IPv6 address" : strerror(-fd));
		return fd;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		snprintf(err, errlen, "cannot start the metrics server: %s",
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	s->ops = *ops;
	if (v6)
		flags |= MHD_USE_IPv6;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, http_handle, s,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
		MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
		MHD_OPTION_END);
	if (!s->mhd) {
		/*
		 * Not closing fd: whether libmicrohttpd already did is not
		 * documented, and a double close could hit a reused number.
		 */
		free(s);
		snprintf(err, errlen, "cannot start the metrics server on '%s' port %d",
			 address, port);
		return -EIO;
	}
	log_info("serving metrics on '%s' port %d", address, port);
	*out = s;
	return 0;
}

void http_close(struct http *s)
{
	if (!s)
		return;
	/* Stopping the daemon also closes the listening socket. */
	MHD_stop_daemon(s->mhd);
	if (s->metrics)
		MHD_destroy_response(s->metrics);
	free(s);
}

int http_fd(const struct http *s)
{
	const union MHD_DaemonInfo *info;

	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	return info ? info->epoll_fd : -1;
}

int http_timeout_ms(struct http *s)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(s->mhd, &ms) != MHD_YES)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

void http_run(struct http *s)
{
	MHD_run(s->mhd);
}

const struct http_stats *http_stats(const struct http *s)
{
	return &s->stats;
}
