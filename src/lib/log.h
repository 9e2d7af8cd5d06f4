/*
 * Logging to stderr, one line per event, with a UTC timestamp and a level.
 * Containers collect stderr; nothing here talks to syslog.
 *
 * The *_errno variants append ": " and strerror of the given positive or
 * negative errno value, so callers that hold "rc = -errno" can pass rc.
 */
#ifndef HOMENFS_LOG_H
#define HOMENFS_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);

/* Parses "error", "warn", "info" or "debug"; returns 0 or -EINVAL. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

void log_msg(enum log_level level, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(...)	log_msg(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARN, 0, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)

#define log_error_errno(err, ...) log_msg(LOG_LEVEL_ERROR, (err), __VA_ARGS__)
#define log_warn_errno(err, ...)  log_msg(LOG_LEVEL_WARN, (err), __VA_ARGS__)

#endif
