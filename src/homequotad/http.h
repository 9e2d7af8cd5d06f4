/*
 * The metrics HTTP server: libmicrohttpd driven from homequotad's own
 * event loop (its epoll descriptor sits in the daemon's epoll set; no
 * thread of its own, so handlers may read the homes table without locks).
 *
 *   GET|HEAD /metrics   200, Prometheus text format 0.0.4
 *   GET|HEAD /healthz   200 "ok", or 503 with a one-line reason
 *   other methods       405 with an Allow header
 *   (rendering fails)   500
 *   other paths         404
 *
 * Query strings are ignored.  The /metrics body is rendered at most once a
 * second and shared by every scrape of that second, so a burst of scrapes
 * costs one rendering.  Requests whose headers do not fit in a small
 * per-connection memory budget are refused by libmicrohttpd, and idle or
 * slow connections are closed after a timeout.
 */
#ifndef HOMENFS_HTTP_H
#define HOMENFS_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* The status codes counted in http_stats, in this order. */
#define HTTP_CODES { 200, 404, 405, 500, 503 }
#define HTTP_NCODES 5

struct http_stats {
	uint64_t requests[HTTP_NCODES];	/* answered, by HTTP_CODES */
	uint64_t renders;		/* /metrics bodies rendered */
};

/* What the server asks its owner for. */
struct http_ops {
	/* A malloc()ed /metrics body; the server frees it.  0 or -errno. */
	int (*render)(void *arg, char **body, size_t *len);
	/* NULL when healthy, otherwise a reason written into buf. */
	const char *(*health)(void *arg, char *buf, size_t len);
	void *arg;
};

struct http;

/*
 * Listens on address:port (numeric IPv4 or IPv6).  On failure one line
 * naming the address, the port and the reason is written into err.
 * ops is copied.
 */
int http_open(struct http **out, const char *address, int port,
	      const struct http_ops *ops, char *err, size_t errlen);
void http_close(struct http *s);

/* The descriptor to poll for readability. */
int http_fd(const struct http *s);

/* Milliseconds until http_run() must be called anyway; -1 for never. */
int http_timeout_ms(struct http *s);

/* Accepts, reads and answers whatever is ready, without blocking. */
void http_run(struct http *s);

const struct http_stats *http_stats(const struct http *s);

/* The code HTTP_CODES lists at index i. */
unsigned http_code(size_t i);

#endif
