#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/homequotad/http.h"
#include "../../src/homequotad/metrics.h"

static char *escaped(const char *s)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(metrics_escape(f, s), 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void assert_escapes(const char *in, const char *want)
{
	char *got = escaped(in);

	assert_string_equal(got, want);
	free(got);
}

#define FFFD "\xef\xbf\xbd"

static void test_escape_specials(void **state)
{
	assert_escapes("", "");
	assert_escapes("alice", "alice");
	assert_escapes("a b", "a b");
	assert_escapes("say \"hi\"", "say \\\"hi\\\"");
	assert_escapes("back\\slash", "back\\\\slash");
	assert_escapes("two\nlines", "two\\nlines");
	assert_escapes("\\\"\n", "\\\\\\\"\\n");
	assert_escapes("tab\there", "tab\there");
}

static void test_escape_utf8(void **state)
{
	/* Well-formed sequences of every length pass unchanged. */
	assert_escapes("caf\xc3\xa9", "caf\xc3\xa9");
	assert_escapes("\xe2\x82\xac", "\xe2\x82\xac");
	assert_escapes("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
	assert_escapes("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
	assert_escapes("\xed\x9f\xbf", "\xed\x9f\xbf");
	/* Each byte outside a well-formed sequence becomes U+FFFD. */
	assert_escapes("\xff", FFFD);
	assert_escapes("a\xfe" "b", "a" FFFD "b");
	assert_escapes("\x80", FFFD);
	assert_escapes("\xc3", FFFD);
	assert_escapes("\xc3x", FFFD "x");
	assert_escapes("\xc0\xaf", FFFD FFFD);
	assert_escapes("\xe0\x80\xaf", FFFD FFFD FFFD);
	assert_escapes("\xed\xa0\x80", FFFD FFFD FFFD);
	assert_escapes("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	assert_escapes("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	assert_escapes("\xe2\x82", FFFD FFFD);
	/* A bad byte before a quote does not swallow the quote. */
	assert_escapes("\xc3\"", FFFD "\\\"");
}

static char *render(const struct metrics_snapshot *s)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(metrics_format(f, s), 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

static bool has_line(const char *body, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = body; (p = strstr(p, line)); p++)
		if ((p == body || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define assert_line(body, line) assert_true(has_line(body, line))
#define assert_no_line(body, line) assert_false(has_line(body, line))

static size_t count_prefix(const char *body, const char *prefix)
{
	size_t n = 0;

	for (const char *p = body; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, prefix, strlen(prefix)))
			n++;
	}
	return n;
}

static const struct config_label labels[] = {
	{ "cluster", "hub-1" },
};

static const struct metrics_base two_bases[] = {
	{ "/export", true, true, 1073741824, 536870912, 1000 },
	{ "/srv/\"x\"", false, false, 0, 0, 0 },
};

static void snapshot(struct metrics_snapshot *s,
		     const struct metrics_home *homes, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->version = "1.2.3";
	s->labels = labels;
	s->nlabels = 1;
	s->bases = two_bases;
	s->nbases = 2;
	s->homes = homes;
	s->nhomes = n;
	s->stats.passes = 7;
	s->stats.events = 42;
	s->stats.walk_errors = 1;
	s->stats.quota_errors = 2;
	s->stats.io_errors = 3;
	s->stats.last_pass_ok = true;
	s->stats.last_pass_seconds = 0.25;
	s->stats.last_pass_time = 1700000000.5;
	s->render_quota_errors = 4;
}

static void test_render_two_homes(void **state)
{
	const struct metrics_home homes[] = {
		{ "alice", 0, 1001, false, true,
		  { 1001, 4096, 268435456, 536870912, 3, 0, 10000 } },
		{ "bob \"b\"\n\\", 0, 1002, true, true,
		  { 1002, 8192, 0, 0, 5, 0, 0 } },
	};
	struct metrics_snapshot s;
	char *body;

	snapshot(&s, homes, 2);
	body = render(&s);
	assert_line(body, "# HELP dirsize_total_size_bytes Bytes used by the home directory.");
	assert_line(body, "# TYPE dirsize_total_size_bytes gauge");
	assert_line(body, "dirsize_total_size_bytes{directory=\"alice\",cluster=\"hub-1\"} 4096");
	assert_line(body, "dirsize_total_size_bytes{directory=\"bob \\\"b\\\"\\n\\\\\",cluster=\"hub-1\"} 8192");
	assert_line(body, "dirsize_hard_limit_bytes{directory=\"alice\",cluster=\"hub-1\"} 536870912");
	/* bob has no limit (excluded): no series rather than 0. */
	assert_int_equal(count_prefix(body, "dirsize_hard_limit_bytes{"), 1);
	assert_line(body, "homequota_home_used_bytes{directory=\"alice\",path=\"/export\",cluster=\"hub-1\"} 4096");
	assert_line(body, "homequota_home_soft_limit_bytes{directory=\"alice\",path=\"/export\",cluster=\"hub-1\"} 268435456");
	assert_line(body, "homequota_home_used_inodes{directory=\"alice\",path=\"/export\",cluster=\"hub-1\"} 3");
	assert_line(body, "homequota_home_hard_limit_inodes{directory=\"alice\",path=\"/export\",cluster=\"hub-1\"} 10000");
	assert_int_equal(count_prefix(body, "homequota_home_soft_limit_inodes{"), 0);
	assert_line(body, "homequota_home_project_id{directory=\"alice\",path=\"/export\",cluster=\"hub-1\"} 1001");
	assert_line(body, "homequota_home_adopting{directory=\"alice\",path=\"/export\",cluster=\"hub-1\"} 0");
	assert_line(body, "homequota_home_adopting{directory=\"bob \\\"b\\\"\\n\\\\\",path=\"/export\",cluster=\"hub-1\"} 1");

	assert_line(body, "homequota_base_path_watched{path=\"/export\",cluster=\"hub-1\"} 1");
	assert_line(body, "homequota_base_path_watched{path=\"/srv/\\\"x\\\"\",cluster=\"hub-1\"} 0");
	assert_line(body, "homequota_filesystem_size_bytes{path=\"/export\",cluster=\"hub-1\"} 1073741824");
	assert_line(body, "homequota_filesystem_free_bytes{path=\"/export\",cluster=\"hub-1\"} 536870912");
	assert_line(body, "homequota_filesystem_free_inodes{path=\"/export\",cluster=\"hub-1\"} 1000");
	/* The second base's filesystem could not be read. */
	assert_int_equal(count_prefix(body, "homequota_filesystem_size_bytes{"), 1);
	assert_line(body, "homequota_homes{path=\"/export\",cluster=\"hub-1\"} 2");
	assert_line(body, "homequota_homes{path=\"/srv/\\\"x\\\"\",cluster=\"hub-1\"} 0");
	assert_line(body, "homequota_hard_limit_sum_bytes{path=\"/export\",cluster=\"hub-1\"} 536870912");

	assert_line(body, "homequota_last_full_pass_duration_seconds{cluster=\"hub-1\"} 0.250000");
	assert_line(body, "homequota_last_full_pass_timestamp_seconds{cluster=\"hub-1\"} 1700000000.500000");
	assert_line(body, "homequota_last_full_pass_success{cluster=\"hub-1\"} 1");
	assert_line(body, "# TYPE homequota_full_passes_total counter");
	assert_line(body, "homequota_full_passes_total{cluster=\"hub-1\"} 7");
	assert_line(body, "homequota_inotify_events_total{cluster=\"hub-1\"} 42");
	assert_line(body, "homequota_errors_total{kind=\"walk\",cluster=\"hub-1\"} 1");
	assert_line(body, "homequota_errors_total{kind=\"quota\",cluster=\"hub-1\"} 6");
	assert_line(body, "homequota_errors_total{kind=\"io\",cluster=\"hub-1\"} 3");
	assert_line(body, "homequota_build_info{version=\"1.2.3\",cluster=\"hub-1\"} 1");
	/* No HTTP server given: no request counters. */
	assert_null(strstr(body, "homequota_http_requests_total"));
	free(body);
}

static void test_render_families_grouped(void **state)
{
	const struct metrics_home homes[] = {
		{ "a", 0, 1001, false, true, { 0 } },
		{ "b", 0, 1002, false, true, { 0 } },
	};
	struct metrics_snapshot s;
	char *body, *p;

	snapshot(&s, homes, 2);
	body = render(&s);
	/* Every line is a comment or a sample; each family appears once. */
	assert_int_equal(count_prefix(body, "# TYPE dirsize_total_size_bytes "), 1);
	assert_int_equal(count_prefix(body, "# HELP homequota_home_used_bytes "), 1);
	p = strstr(body, "# TYPE homequota_home_used_bytes");
	assert_non_null(p);
	assert_non_null(strstr(p, "homequota_home_used_bytes{directory=\"a\""));
	assert_int_equal(body[strlen(body) - 1], '\n');
	free(body);
}

static void test_render_duplicates(void **state)
{
	/* Same name in both bases, and two names that escape alike. */
	const struct metrics_home homes[] = {
		{ "alice", 0, 1001, false, true, { .bytes_used = 1 } },
		{ "\xfe", 0, 1003, false, true, { .bytes_used = 3 } },
		{ "\xff", 0, 1004, false, true, { .bytes_used = 4 } },
		{ "alice", 1, 2001, false, true, { .bytes_used = 2 } },
	};
	struct metrics_snapshot s;
	char *body;

	snapshot(&s, homes, 4);
	body = render(&s);
	assert_int_equal(count_prefix(body, "dirsize_total_size_bytes{"), 2);
	assert_line(body, "dirsize_total_size_bytes{directory=\"alice\",cluster=\"hub-1\"} 1");
	assert_line(body, "dirsize_total_size_bytes{directory=\"" FFFD "\",cluster=\"hub-1\"} 3");
	assert_int_equal(count_prefix(body, "homequota_home_used_bytes{"), 3);
	assert_line(body, "homequota_home_used_bytes{directory=\"alice\",path=\"/srv/\\\"x\\\"\",cluster=\"hub-1\"} 2");
	assert_line(body, "homequota_homes{path=\"/export\",cluster=\"hub-1\"} 3");
	free(body);
}

static void test_render_no_quota(void **state)
{
	const struct metrics_home homes[] = {
		{ "carol", 0, 1005, false, false, { 0 } },
	};
	struct metrics_snapshot s;
	char *body;

	snapshot(&s, homes, 1);
	body = render(&s);
	assert_int_equal(count_prefix(body, "dirsize_total_size_bytes{"), 0);
	assert_int_equal(count_prefix(body, "homequota_home_used_bytes{"), 0);
	assert_line(body, "homequota_home_project_id{directory=\"carol\",path=\"/export\",cluster=\"hub-1\"} 1005");
	free(body);
}

static void test_render_label_clash(void **state)
{
	static const struct config_label clash[] = {
		{ "path", "ignored" },
		{ "env", "a\"b" },
	};
	const struct metrics_home homes[] = {
		{ "dave", 0, 1006, false, true, { .bytes_used = 9 } },
	};
	struct metrics_snapshot s;
	struct http_stats hs = { { 5, 1, 2, 0, 3 }, 8 };
	char *body;

	snapshot(&s, homes, 1);
	s.labels = clash;
	s.nlabels = 2;
	s.http = &hs;
	body = render(&s);
	assert_line(body, "dirsize_total_size_bytes{directory=\"dave\",path=\"ignored\",env=\"a\\\"b\"} 9");
	assert_line(body, "homequota_home_used_bytes{directory=\"dave\",path=\"/export\",env=\"a\\\"b\"} 9");
	assert_line(body, "homequota_http_requests_total{code=\"200\",path=\"ignored\",env=\"a\\\"b\"} 5");
	assert_line(body, "homequota_http_requests_total{code=\"503\",path=\"ignored\",env=\"a\\\"b\"} 3");
	assert_line(body, "homequota_metrics_renders_total{path=\"ignored\",env=\"a\\\"b\"} 8");
	free(body);
}

static void test_render_no_labels(void **state)
{
	struct metrics_snapshot s;
	char *body;

	snapshot(&s, NULL, 0);
	s.nlabels = 0;
	body = render(&s);
	assert_line(body, "homequota_full_passes_total 7");
	assert_line(body, "homequota_build_info{version=\"1.2.3\"} 1");
	free(body);
}

/* A fake daemon behind the HTTP server. */
struct fake {
	unsigned renders;
	const char *reason;
};

static int fake_render(void *arg, char **body, size_t *len)
{
	struct fake *f = arg;

	f->renders++;
	*len = (size_t)asprintf(body, "fake_metric %u\n", f->renders);
	return 0;
}

static const char *fake_health(void *arg, char *buf, size_t len)
{
	struct fake *f = arg;

	if (!f->reason)
		return NULL;
	snprintf(buf, len, "%s", f->reason);
	return buf;
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/*
 * Sends req to the server and drives the server until it closes the
 * connection; returns what came back.
 */
static char *exchange(struct http *s, int port, const char *req, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static char buf[65536];
	size_t got = 0, sent = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_true(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
		    errno == EINPROGRESS);
	for (int i = 0; i < 2000; i++) {
		struct pollfd p = { http_fd(s), POLLIN, 0 };
		ssize_t n;

		poll(&p, 1, 5);
		http_run(s);
		if (sent < len) {
			n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				break;
		}
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
		if (n > 0)
			got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return buf;
}

static char *request(struct http *s, int port, const char *req)
{
	return exchange(s, port, req, strlen(req));
}

static void test_http_routes(void **state)
{
	struct fake fk = { 0 };
	struct http_ops ops = { fake_render, fake_health, &fk };
	struct http *s;
	char err[256], *r;
	int port = free_port();

	assert_int_equal(http_open(&s, "127.0.0.1", port, &ops, err,
				   sizeof(err)), 0);
	r = request(s, port, "GET /metrics HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(r, "\r\n\r\nfake_metric 1\n"));
	/* Within the second: the same body, no new rendering. */
	r = request(s, port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, "\r\n\r\nfake_metric 1\n"));
	assert_int_equal(fk.renders, 1);
	assert_int_equal(http_stats(s)->renders, 1);
	r = request(s, port, "HEAD /metrics HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 200"));
	assert_null(strstr(r, "fake_metric"));

	r = request(s, port, "GET /healthz HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 200"));
	assert_non_null(strstr(r, "\r\n\r\nok\n"));
	fk.reason = "last full pass failed";
	r = request(s, port, "GET /healthz HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 503"));
	assert_non_null(strstr(r, "\r\n\r\nlast full pass failed\n"));

	r = request(s, port, "GET /nope HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 404"));
	r = request(s, port, "POST /metrics HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
	assert_non_null(strstr(r, " 405"));
	assert_non_null(strstr(r, "Allow: GET, HEAD\r\n"));
	r = request(s, port, "DELETE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_non_null(strstr(r, " 405"));

	assert_int_equal(http_stats(s)->requests[0], 4);
	assert_int_equal(http_stats(s)->requests[1], 1);
	assert_int_equal(http_stats(s)->requests[2], 2);
	assert_int_equal(http_stats(s)->requests[4], 1);
	http_close(s);
}

static void test_http_bad_requests(void **state)
{
	struct fake fk = { 0 };
	struct http_ops ops = { fake_render, fake_health, &fk };
	size_t big = 200000;
	struct http *s;
	char err[256], *r, *req;
	int port = free_port();

	assert_int_equal(http_open(&s, "127.0.0.1", port, &ops, err,
				   sizeof(err)), 0);
	r = request(s, port, "garbage\r\n\r\n");
	assert_null(strstr(r, " 200"));
	req = malloc(big + 64);
	assert_non_null(req);
	strcpy(req, "GET /metrics HTTP/1.0\r\nX-Big: ");
	memset(req + strlen(req), 'a', big);
	strcpy(req + strlen("GET /metrics HTTP/1.0\r\nX-Big: ") + big,
	       "\r\n\r\n");
	r = request(s, port, req);
	assert_null(strstr(r, " 200"));
	free(req);
	assert_int_equal(fk.renders, 0);
	/* Still serving. */
	r = request(s, port, "GET /healthz HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 200"));
	http_close(s);
}

static void test_http_open_errors(void **state)
{
	struct fake fk = { 0 };
	struct http_ops ops = { fake_render, fake_health, &fk };
	struct http *s, *s2;
	char err[256];
	int port = free_port();

	assert_int_equal(http_open(&s, "localhost", port, &ops, err,
				   sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'localhost'"));
	assert_int_equal(http_open(&s, "127.0.0.1", port, &ops, err,
				   sizeof(err)), 0);
	assert_int_equal(http_open(&s2, "127.0.0.1", port, &ops, err,
				   sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "'127.0.0.1' port"));
	assert_non_null(strstr(err, "in use"));
	http_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_specials),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_render_two_homes),
		cmocka_unit_test(test_render_families_grouped),
		cmocka_unit_test(test_render_duplicates),
		cmocka_unit_test(test_render_no_quota),
		cmocka_unit_test(test_render_label_clash),
		cmocka_unit_test(test_render_no_labels),
		cmocka_unit_test(test_http_routes),
		cmocka_unit_test(test_http_bad_requests),
		cmocka_unit_test(test_http_open_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
