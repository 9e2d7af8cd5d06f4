#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* Larger than any sane config; stops a wrong path from filling memory. */
#define CONFIG_MAX_FILE (1024 * 1024)

/* 2^33 GiB is 2^63 bytes: keeps byte counts clear of uint64_t overflow. */
#define CONFIG_GIB_LIMIT 8589934592.0

#define CONFIG_MAX_SECONDS 86400.0

#define CONFIG_MAX_DEPTH 8

/* How much of a user's value an error message repeats. */
#define CONFIG_SHOW_LEN 64

enum config_key_id {
	KEY_PATHS,
	KEY_HARD_QUOTA,
	KEY_SOFT_QUOTA,
	KEY_HARD_INODES,
	KEY_SOFT_INODES,
	KEY_WAIT_TIME,
	KEY_MIN_PROJID,
	KEY_EXCLUDE,
	KEY_QUOTA_OVERRIDES,
	KEY_UID,
	KEY_GID,
	KEY_PROJECTS_FILE,
	KEY_PROJID_FILE,
	KEY_METRICS_ADDRESS,
	KEY_METRICS_PORT,
	KEY_METRICS_LABELS,
	KEY_LOG_LEVEL,
	KEY_AUTO_RESIZE,
	KEY_RESIZE_INTERVAL,
	KEY_COUNT,
};

struct config_parser {
	struct config *c;
	const char *name;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
	yaml_node_t *settings;		/* the mapping holding the keys */
	yaml_node_t *seen[KEY_COUNT];	/* value node of each key given */
	yaml_node_t *seen_key[KEY_COUNT];
};

struct config_key;
typedef int config_parse_fn(struct config_parser *p,
			    const struct config_key *k, yaml_node_t *v);

struct config_key {
	const char *name;
	config_parse_fn *parse;
	size_t offset;		/* of the field in struct config */
	uint64_t min, max;	/* integers; for GiB, min 0 allows zero */
};

static config_parse_fn config_parse_paths, config_parse_gib,
	config_parse_u64, config_parse_u32, config_parse_port,
	config_parse_seconds, config_parse_exclude, config_parse_overrides,
	config_parse_file, config_parse_address, config_parse_labels,
	config_parse_log_level, config_parse_bool;

#define FIELD(f) offsetof(struct config, f)

static const struct config_key config_keys[KEY_COUNT] = {
	[KEY_PATHS] = { "paths", config_parse_paths, 0, 0, 0 },
	[KEY_HARD_QUOTA] = { "hard_quota", config_parse_gib,
			     FIELD(hard_bytes), 1, 0 },
	[KEY_SOFT_QUOTA] = { "soft_quota", config_parse_gib,
			     FIELD(soft_bytes), 0, 0 },
	[KEY_HARD_INODES] = { "hard_inodes", config_parse_u64,
			      FIELD(hard_inodes), 0, UINT64_MAX },
	[KEY_SOFT_INODES] = { "soft_inodes", config_parse_u64,
			      FIELD(soft_inodes), 0, UINT64_MAX },
	[KEY_WAIT_TIME] = { "wait_time", config_parse_seconds,
			    FIELD(wait_time), 0, 0 },
	[KEY_MIN_PROJID] = { "min_projid", config_parse_u32,
			     FIELD(min_projid), 1, 4294967294u },
	[KEY_EXCLUDE] = { "exclude", config_parse_exclude, 0, 0, 0 },
	[KEY_QUOTA_OVERRIDES] = { "quota_overrides", config_parse_overrides,
				  0, 0, 0 },
	[KEY_UID] = { "uid", config_parse_u32, FIELD(uid), 0, 4294967294u },
	[KEY_GID] = { "gid", config_parse_u32, FIELD(gid), 0, 4294967294u },
	[KEY_PROJECTS_FILE] = { "projects_file", config_parse_file,
				FIELD(projects_file), 0, 0 },
	[KEY_PROJID_FILE] = { "projid_file", config_parse_file,
			      FIELD(projid_file), 0, 0 },
	[KEY_METRICS_ADDRESS] = { "metrics_address", config_parse_address,
				  0, 0, 0 },
	[KEY_METRICS_PORT] = { "metrics_port", config_parse_port, 0, 0,
			       65535 },
	[KEY_METRICS_LABELS] = { "metrics_labels", config_parse_labels,
				 0, 0, 0 },
	[KEY_LOG_LEVEL] = { "log_level", config_parse_log_level, 0, 0, 0 },
	[KEY_AUTO_RESIZE] = { "auto_resize", config_parse_bool,
			      FIELD(auto_resize), 0, 0 },
	[KEY_RESIZE_INTERVAL] = { "resize_interval", config_parse_seconds,
				  FIELD(resize_interval), 0, 0 },
};

void config_init_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->hard_bytes = 10ULL << 30;
	c->wait_time = 30;
	c->min_projid = 1000;
	c->uid = 1000;
	c->gid = 1000;
	strcpy(c->projects_file, "/etc/projects");
	strcpy(c->projid_file, "/etc/projid");
	strcpy(c->metrics_address, "0.0.0.0");
	c->metrics_port = 7500;
	c->log_level = LOG_LEVEL_INFO;
	c->resize_interval = 60;
}

void config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->npaths; i++)
		free(c->paths[i]);
	free(c->paths);
	for (i = 0; i < c->nexclude; i++)
		free(c->exclude[i]);
	free(c->exclude);
	for (i = 0; i < c->noverrides; i++)
		free(c->overrides[i].name);
	free(c->overrides);
	for (i = 0; i < c->nlabels; i++) {
		free(c->labels[i].name);
		free(c->labels[i].value);
	}
	free(c->labels);
	config_init_defaults(c);
}

/*
 * Copy user text for an error message: control bytes become '?' so the
 * message stays one line, and long text is cut on a UTF-8 boundary.
 */
static void config_show(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	if (n > len - 4) {
		n = len - 4;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	strcpy(buf + i, n < strlen(s) ? "..." : "");
}

static unsigned long config_line(const yaml_node_t *n)
{
	return n ? (unsigned long)n->start_mark.line + 1 : 1;
}

/*
 * Write "FILE:LINE: 'key': message" into the caller's buffer and return
 * -EINVAL.  key may be NULL for problems that belong to no key.
 */
__attribute__((format(printf, 4, 0)))
static int config_verror(struct config_parser *p, unsigned long line,
			 const char *key, const char *fmt, va_list ap)
{
	char shown[CONFIG_SHOW_LEN];
	int off;

	if (key) {
		config_show(shown, sizeof(shown), key);
		off = snprintf(p->err, p->errlen, "%s:%lu: '%s': ", p->name,
			       line, shown);
	} else {
		off = snprintf(p->err, p->errlen, "%s:%lu: ", p->name, line);
	}
	if (off >= 0 && (size_t)off < p->errlen)
		vsnprintf(p->err + off, p->errlen - (size_t)off, fmt, ap);
	return -EINVAL;
}

__attribute__((format(printf, 4, 5)))
static int config_error(struct config_parser *p, const yaml_node_t *n,
			const char *key, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_verror(p, config_line(n), key, fmt, ap);
	va_end(ap);
	return rc;
}

__attribute__((format(printf, 3, 4)))
static int config_error_line(struct config_parser *p, unsigned long line,
			     const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_verror(p, line, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

/* What a node is, for "got ..." in messages. */
static const char *config_describe(const yaml_node_t *n, char *buf,
				   size_t len)
{
	char shown[CONFIG_SHOW_LEN];

	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	config_show(shown, sizeof(shown), (const char *)n->data.scalar.value);
	snprintf(buf, len, "'%s'", shown);
	return buf;
}

/* The usual error: "expected <what>, got <value>". */
static int config_expected(struct config_parser *p, const yaml_node_t *n,
			   const char *key, const char *what)
{
	char buf[CONFIG_SHOW_LEN + 2];

	return config_error(p, n, key, "expected %s, got %s", what,
			    config_describe(n, buf, sizeof(buf)));
}

/* A plain (unquoted) null: empty, "~" or "null". */
static bool config_is_null(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !strcmp(s, "") || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/*
 * The text of a scalar that is not null, or NULL.  A scalar with a NUL
 * byte inside (possible with a "\0" escape) cannot be a C string and is
 * refused too.
 */
static const char *config_text(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE || config_is_null(n))
		return NULL;
	if (strlen(s) != n->data.scalar.length)
		return NULL;
	return s;
}

static bool config_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/*
 * A decimal number as YAML writes a float or an int ("10", "0.5", "1e3",
 * ".5"), quoted or not.  No ".inf", ".nan", hex or octal.  Refuses values
 * strtod cannot hold, so callers only check their own range.
 */
static bool config_number(const char *s, double *out)
{
	const char *q = s;
	bool digits = false;
	char *end;

	if (*q == '+' || *q == '-')
		q++;
	for (; config_is_digit(*q); q++)
		digits = true;
	if (*q == '.')
		for (q++; config_is_digit(*q); q++)
			digits = true;
	if (!digits)
		return false;
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!config_is_digit(*q))
			return false;
		while (config_is_digit(*q))
			q++;
	}
	if (*q)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return errno != ERANGE && *end == '\0';
}

/* A decimal integer in [min, max]; a leading '+' is allowed. */
static bool config_uint(const char *s, uint64_t min, uint64_t max,
			uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '+')
		s++;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (!config_is_digit(*s) || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int config_parse_u64(struct config_parser *p,
			    const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);
	uint64_t *field = (uint64_t *)((char *)p->c + k->offset);

	if (!s || !config_uint(s, k->min, k->max, field))
		return config_expected(p, v, k->name,
				       "an integer, 0 for no limit");
	return 0;
}

static int config_parse_u32(struct config_parser *p,
			    const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);
	uint32_t *field = (uint32_t *)((char *)p->c + k->offset);
	char what[64];
	uint64_t n;

	if (!s || !config_uint(s, k->min, k->max, &n)) {
		snprintf(what, sizeof(what), "an integer from %llu to %llu",
			 (unsigned long long)k->min,
			 (unsigned long long)k->max);
		return config_expected(p, v, k->name, what);
	}
	*field = (uint32_t)n;
	return 0;
}

static int config_parse_port(struct config_parser *p,
			     const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);
	uint64_t n;

	if (!s || !config_uint(s, k->min, k->max, &n))
		return config_expected(p, v, k->name,
				       "a port from 0 to 65535, 0 to disable");
	p->c->metrics_port = (int)n;
	return 0;
}

/*
 * GiB to bytes, rounded up to a whole KiB because the kernel keeps limits
 * in 1 KiB blocks.  Multiplying by 2^20 is exact in binary floating
 * point, so a value that is a whole number of KiB stays one.
 */
static bool config_gib_bytes(const char *s, bool zero_ok, uint64_t *bytes)
{
	double gib, kib;
	uint64_t k;

	if (!config_number(s, &gib) || gib < 0 || (gib == 0 && !zero_ok) ||
	    gib >= CONFIG_GIB_LIMIT)
		return false;
	kib = gib * 1048576.0;
	k = (uint64_t)kib;
	if ((double)k < kib)
		k++;
	*bytes = k * 1024;
	return true;
}

static int config_parse_gib(struct config_parser *p,
			    const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);
	uint64_t *field = (uint64_t *)((char *)p->c + k->offset);

	if (!s || !config_gib_bytes(s, k->min == 0, field))
		return config_expected(p, v, k->name, k->min == 0 ?
			"a number of GiB, 0 for none, below 8589934592" :
			"a number of GiB greater than 0, below 8589934592");
	return 0;
}

static int config_parse_seconds(struct config_parser *p,
				const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);
	double *field = (double *)((char *)p->c + k->offset);
	double d;

	if (!s || !config_number(s, &d) || !(d > 0) ||
	    d > CONFIG_MAX_SECONDS)
		return config_expected(p, v, k->name,
			"a number of seconds greater than 0, at most 86400");
	*field = d;
	return 0;
}

static int config_parse_bool(struct config_parser *p,
			     const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);
	bool *field = (bool *)((char *)p->c + k->offset);

	if (s && !strcmp(s, "true"))
		*field = true;
	else if (s && !strcmp(s, "false"))
		*field = false;
	else
		return config_expected(p, v, k->name, "true or false");
	return 0;
}

static int config_parse_log_level(struct config_parser *p,
				  const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);

	if (!s || log_level_parse(s, &p->c->log_level) < 0)
		return config_expected(p, v, k->name,
				       "error, warn, info or debug");
	return 0;
}

static int config_parse_address(struct config_parser *p,
				const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);
	unsigned char addr[sizeof(struct in6_addr)];

	if (!s || strlen(s) >= sizeof(p->c->metrics_address) ||
	    (inet_pton(AF_INET, s, addr) != 1 &&
	     inet_pton(AF_INET6, s, addr) != 1))
		return config_expected(p, v, k->name,
				       "a numeric IPv4 or IPv6 address");
	strcpy(p->c->metrics_address, s);
	return 0;
}

/*
 * Tidy an absolute path into out (at least strlen(in) + 1 bytes): repeated
 * and trailing slashes go.  "." and ".." components are refused rather
 * than resolved, since the config cannot know about symlinks.
 */
static bool config_clean_path(const char *in, char *out)
{
	const char *q = in;
	size_t n = 0, comp;

	if (*q != '/')
		return false;
	while (*q) {
		while (*q == '/')
			q++;
		comp = strcspn(q, "/");
		if (comp == 0)
			break;
		if ((comp == 1 && q[0] == '.') ||
		    (comp == 2 && q[0] == '.' && q[1] == '.'))
			return false;
		out[n++] = '/';
		memcpy(out + n, q, comp);
		n += comp;
		q += comp;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return true;
}

static int config_parse_file(struct config_parser *p,
			     const struct config_key *k, yaml_node_t *v)
{
	const char *s = config_text(v);
	char *field = (char *)p->c + k->offset;
	char *clean;

	if (!s || strlen(s) >= PATH_MAX)
		return config_expected(p, v, k->name, "an absolute file path");
	clean = malloc(strlen(s) + 1);
	if (!clean)
		return -ENOMEM;
	if (!config_clean_path(s, clean) || !strcmp(clean, "/")) {
		free(clean);
		return config_expected(p, v, k->name, "an absolute file path");
	}
	strcpy(field, clean);
	free(clean);
	return 0;
}

/*
 * Check one base directory against those already read: the same
 * directory twice, or one inside another, would give a home two IDs.
 */
static int config_check_path(struct config_parser *p, yaml_node_t *item,
			     const char *path)
{
	char a[CONFIG_SHOW_LEN], b[CONFIG_SHOW_LEN];
	const struct config *c = p->c;
	const char *inner, *outer;
	size_t i, la, lb;

	if (!strcmp(path, "/"))
		return config_error(p, item, "paths",
				    "'/' cannot be a base directory");
	config_show(a, sizeof(a), path);
	for (i = 0; i < c->npaths; i++) {
		if (!strcmp(path, c->paths[i]))
			return config_error(p, item, "paths",
					    "duplicate path '%s'", a);
		la = strlen(path);
		lb = strlen(c->paths[i]);
		inner = la > lb ? path : c->paths[i];
		outer = la > lb ? c->paths[i] : path;
		if (!strncmp(inner, outer, strlen(outer)) &&
		    inner[strlen(outer)] == '/') {
			config_show(a, sizeof(a), inner);
			config_show(b, sizeof(b), outer);
			return config_error(p, item, "paths",
					    "'%s' is inside '%s'", a, b);
		}
	}
	return 0;
}

static int config_parse_paths(struct config_parser *p,
			      const struct config_key *k, yaml_node_t *v)
{
	const char *what = "a list of at least one absolute path";
	struct config *c = p->c;
	yaml_node_item_t *it;
	const char *s;
	char *clean;
	int rc;

	if (v->type != YAML_SEQUENCE_NODE ||
	    v->data.sequence.items.top == v->data.sequence.items.start)
		return config_expected(p, v, k->name, what);
	c->paths = calloc((size_t)(v->data.sequence.items.top -
				   v->data.sequence.items.start),
			  sizeof(*c->paths));
	if (!c->paths)
		return -ENOMEM;
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(p->doc, *it);

		s = config_text(item);
		if (!s || strlen(s) >= PATH_MAX)
			return config_expected(p, item, k->name,
					       "an absolute path");
		clean = malloc(strlen(s) + 1);
		if (!clean)
			return -ENOMEM;
		if (!config_clean_path(s, clean)) {
			free(clean);
			return config_expected(p, item, k->name,
				"an absolute path without '.' or '..'");
		}
		rc = config_check_path(p, item, clean);
		if (rc < 0) {
			free(clean);
			return rc;
		}
		c->paths[c->npaths++] = clean;
	}
	return 0;
}

/* Order scalar nodes by text, then by position in the file. */
static int config_cmp_node(const void *a, const void *b)
{
	const yaml_node_t *x = *(yaml_node_t *const *)a;
	const yaml_node_t *y = *(yaml_node_t *const *)b;
	int d = strcmp((const char *)x->data.scalar.value,
		       (const char *)y->data.scalar.value);

	if (d)
		return d;
	return (x->start_mark.index > y->start_mark.index) -
	       (x->start_mark.index < y->start_mark.index);
}

/*
 * Report a name given twice among the items of a list or the keys of a
 * mapping, all already checked to be scalars.  Sorting keeps long lists
 * fast; of several repeats, the one nearest the top of the file is named.
 */
static int config_no_dups(struct config_parser *p, const char *key,
			  const char *what, yaml_node_t *v)
{
	bool seq = v->type == YAML_SEQUENCE_NODE;
	size_t n = seq ? (size_t)(v->data.sequence.items.top -
				  v->data.sequence.items.start) :
			 (size_t)(v->data.mapping.pairs.top -
				  v->data.mapping.pairs.start);
	yaml_node_t **nodes, *dup = NULL;
	char shown[CONFIG_SHOW_LEN];
	size_t i;

	if (n < 2)
		return 0;
	nodes = calloc(n, sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		nodes[i] = yaml_document_get_node(p->doc, seq ?
				v->data.sequence.items.start[i] :
				v->data.mapping.pairs.start[i].key);
	qsort(nodes, n, sizeof(*nodes), config_cmp_node);
	for (i = 1; i < n; i++) {
		if (strcmp((const char *)nodes[i - 1]->data.scalar.value,
			   (const char *)nodes[i]->data.scalar.value))
			continue;
		if (!dup || nodes[i]->start_mark.index < dup->start_mark.index)
			dup = nodes[i];
	}
	free(nodes);
	if (!dup)
		return 0;
	config_show(shown, sizeof(shown), (const char *)dup->data.scalar.value);
	return config_error(p, dup, key, "duplicate %s '%s'", what, shown);
}

/* A home is a directory entry: 1 to 255 bytes, no '/', not "." or "..". */
static bool config_valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 255 && !strchr(s, '/') && strcmp(s, ".") &&
	       strcmp(s, "..");
}

#define CONFIG_NAME_WHAT "a home directory name (no '/', not '.' or '..')"

static int config_parse_exclude(struct config_parser *p,
				const struct config_key *k, yaml_node_t *v)
{
	struct config *c = p->c;
	yaml_node_item_t *it;
	const char *s;

	if (config_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return config_expected(p, v, k->name, "a list of home names");
	c->exclude = calloc((size_t)(v->data.sequence.items.top -
				     v->data.sequence.items.start) + 1,
			    sizeof(*c->exclude));
	if (!c->exclude)
		return -ENOMEM;
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(p->doc, *it);

		s = config_text(item);
		if (!s || !config_valid_name(s))
			return config_expected(p, item, k->name,
					       CONFIG_NAME_WHAT);
		c->exclude[c->nexclude] = strdup(s);
		if (!c->exclude[c->nexclude])
			return -ENOMEM;
		c->nexclude++;
	}
	return config_no_dups(p, k->name, "name", v);
}

/* Number of pairs in a mapping node. */
static size_t config_npairs(const yaml_node_t *v)
{
	return (size_t)(v->data.mapping.pairs.top -
			v->data.mapping.pairs.start);
}

static int config_parse_override(struct config_parser *p,
				 const struct config_key *k,
				 yaml_node_t *key, yaml_node_t *val)
{
	struct config *c = p->c;
	struct config_override *o = &c->overrides[c->noverrides];
	const char *s = config_text(key);

	if (!s || !config_valid_name(s))
		return config_expected(p, key, k->name, CONFIG_NAME_WHAT);
	s = config_text(val);
	if (!s || !config_gib_bytes(s, false, &o->hard_bytes))
		return config_expected(p, val, k->name,
			"a number of GiB greater than 0, below 8589934592");
	o->name = strdup((const char *)key->data.scalar.value);
	if (!o->name)
		return -ENOMEM;
	c->noverrides++;
	return 0;
}

static int config_parse_overrides(struct config_parser *p,
				  const struct config_key *k, yaml_node_t *v)
{
	yaml_node_pair_t *pair;
	int rc;

	if (config_is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return config_expected(p, v, k->name,
				       "a mapping of home name to GiB");
	p->c->overrides = calloc(config_npairs(v) + 1,
				 sizeof(*p->c->overrides));
	if (!p->c->overrides)
		return -ENOMEM;
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++) {
		rc = config_parse_override(p, k,
				yaml_document_get_node(p->doc, pair->key),
				yaml_document_get_node(p->doc, pair->value));
		if (rc < 0)
			return rc;
	}
	return config_no_dups(p, k->name, "home", v);
}

/* Labels the metrics set themselves on some series. */
static const char *const config_reserved_labels[] = {
	"directory", "path", "kind", "code", "version",
};

/*
 * Prometheus label names; "__" is reserved for Prometheus itself and the
 * metrics' own labels cannot be constant ones.
 */
static bool config_valid_label(const char *s)
{
	const char *q;

	if (!strncmp(s, "__", 2))
		return false;
	for (size_t i = 0; i < sizeof(config_reserved_labels) /
			       sizeof(config_reserved_labels[0]); i++)
		if (!strcmp(s, config_reserved_labels[i]))
			return false;
	for (q = s; *q; q++) {
		bool alpha = (*q >= 'a' && *q <= 'z') ||
			     (*q >= 'A' && *q <= 'Z') || *q == '_';

		if (!alpha && (q == s || !config_is_digit(*q)))
			return false;
	}
	return q != s;
}

static int config_parse_label(struct config_parser *p,
			      const struct config_key *k,
			      yaml_node_t *key, yaml_node_t *val)
{
	struct config *c = p->c;
	struct config_label *l = &c->labels[c->nlabels];
	const char *name = config_text(key), *value = config_text(val);

	if (!name || !config_valid_label(name))
		return config_expected(p, key, k->name,
			"a label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with '__', and none of directory, path, kind, code, version");
	if (!value || !*value)
		return config_expected(p, val, k->name,
				       "a non-empty label value");
	l->name = strdup(name);
	l->value = strdup(value);
	c->nlabels++;
	if (!l->name || !l->value)
		return -ENOMEM;
	return 0;
}

static int config_parse_labels(struct config_parser *p,
			       const struct config_key *k, yaml_node_t *v)
{
	yaml_node_pair_t *pair;
	int rc;

	if (config_is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return config_expected(p, v, k->name,
				       "a mapping of label name to value");
	p->c->labels = calloc(config_npairs(v) + 1, sizeof(*p->c->labels));
	if (!p->c->labels)
		return -ENOMEM;
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++) {
		rc = config_parse_label(p, k,
				yaml_document_get_node(p->doc, pair->key),
				yaml_document_get_node(p->doc, pair->value));
		if (rc < 0)
			return rc;
	}
	return config_no_dups(p, k->name, "label", v);
}

/* Lowercase with '_' and '-' dropped, so "hardQuota" meets "hard_quota". */
static void config_fold(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s && n + 1 < len; s++) {
		if (*s == '_' || *s == '-')
			continue;
		out[n++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a')
						    : *s;
	}
	out[n] = '\0';
}

static int config_unknown_key(struct config_parser *p, yaml_node_t *key,
			      const char *name)
{
	char folded[CONFIG_SHOW_LEN], want[CONFIG_SHOW_LEN];
	size_t i;

	config_fold(name, folded, sizeof(folded));
	for (i = 0; i < KEY_COUNT; i++) {
		config_fold(config_keys[i].name, want, sizeof(want));
		if (!strcmp(folded, want))
			return config_error(p, key, name,
					    "unknown key, did you mean '%s'?",
					    config_keys[i].name);
	}
	return config_error(p, key, name,
			    "unknown key: see homequotad.conf(5)");
}

static int config_parse_pair(struct config_parser *p, yaml_node_t *key,
			     yaml_node_t *val)
{
	char buf[CONFIG_SHOW_LEN + 2];
	const char *name = config_text(key);
	size_t i;

	if (!name)
		return config_error(p, key, NULL, "expected a key name, got %s",
				    config_describe(key, buf, sizeof(buf)));
	for (i = 0; i < KEY_COUNT; i++)
		if (!strcmp(name, config_keys[i].name))
			break;
	if (i == KEY_COUNT)
		return config_unknown_key(p, key, name);
	if (p->seen[i])
		return config_error(p, key, name,
				    "duplicate key, first given on line %lu",
				    config_line(p->seen_key[i]));
	p->seen[i] = val;
	p->seen_key[i] = key;
	return config_keys[i].parse(p, &config_keys[i], val);
}

static int config_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int config_cmp_override(const void *a, const void *b)
{
	return strcmp(((const struct config_override *)a)->name,
		      ((const struct config_override *)b)->name);
}

/* Rules between keys, checked once all keys are read. */
static int config_check(struct config_parser *p)
{
	struct config *c = p->c;
	size_t i;

	if (!p->seen[KEY_PATHS])
		return config_error(p, p->settings, "paths",
			"required key is missing: list at least one base directory");
	if (c->soft_bytes > c->hard_bytes)
		return config_error(p, p->seen[KEY_SOFT_QUOTA], "soft_quota",
				    "must not be larger than hard_quota");
	if (c->hard_inodes && c->soft_inodes > c->hard_inodes)
		return config_error(p, p->seen[KEY_SOFT_INODES], "soft_inodes",
				    "must not be larger than hard_inodes");
	if (c->nexclude)
		qsort(c->exclude, c->nexclude, sizeof(*c->exclude),
		      config_cmp_str);
	for (i = 0; i < c->noverrides; i++) {
		yaml_node_pair_t *pair;
		char shown[CONFIG_SHOW_LEN];

		if (!config_is_excluded(c, c->overrides[i].name))
			continue;
		/* Overrides are still in file order: pair i is this one. */
		pair = p->seen[KEY_QUOTA_OVERRIDES]->data.mapping.pairs.start +
		       i;
		config_show(shown, sizeof(shown), c->overrides[i].name);
		return config_error(p,
			yaml_document_get_node(p->doc, pair->key),
			"quota_overrides",
			"'%s' is also in exclude: remove it from one of them",
			shown);
	}
	if (c->noverrides)
		qsort(c->overrides, c->noverrides, sizeof(*c->overrides),
		      config_cmp_override);
	return 0;
}

/*
 * Find the mapping that holds the settings: the root, or the value of a
 * "QuotaManager" key when that is the root's only key.  NULL settings
 * means an empty config.
 */
static int config_find_settings(struct config_parser *p, yaml_node_t *root)
{
	yaml_node_pair_t *pair, *qm = NULL;
	yaml_node_t *key, *val;
	const char *s;

	p->settings = root;
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(p->doc, pair->key);
		s = config_text(key);
		if (s && !strcmp(s, "QuotaManager") && qm)
			return config_error(p, key, s, "duplicate key");
		if (s && !strcmp(s, "QuotaManager"))
			qm = pair;
	}
	if (!qm)
		return 0;
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(p->doc, pair->key);
		s = config_text(key);
		if (pair != qm)
			return config_error(p, key, s ? s : "?",
				"not allowed beside 'QuotaManager': move it under 'QuotaManager'");
	}
	val = yaml_document_get_node(p->doc, qm->value);
	key = yaml_document_get_node(p->doc, qm->key);
	if (config_is_null(val)) {
		p->settings = key;
		return 0;
	}
	if (val->type != YAML_MAPPING_NODE)
		return config_expected(p, val, "QuotaManager",
				       "a mapping of settings");
	p->settings = val;
	return 0;
}

static int config_parse_document(struct config_parser *p)
{
	yaml_node_t *root = yaml_document_get_root_node(p->doc);
	yaml_node_pair_t *pair;
	int rc;

	if (root && root->type != YAML_MAPPING_NODE && !config_is_null(root))
		return config_expected(p, root, NULL, "a mapping of settings");
	if (root && root->type == YAML_MAPPING_NODE) {
		rc = config_find_settings(p, root);
		if (rc < 0)
			return rc;
	} else {
		p->settings = root;
	}
	if (p->settings && p->settings->type == YAML_MAPPING_NODE) {
		for (pair = p->settings->data.mapping.pairs.start;
		     pair < p->settings->data.mapping.pairs.top; pair++) {
			rc = config_parse_pair(p,
				yaml_document_get_node(p->doc, pair->key),
				yaml_document_get_node(p->doc, pair->value));
			if (rc < 0)
				return rc;
		}
	}
	return config_check(p);
}

/* Report a libyaml failure with the line it happened on. */
static int config_yaml_error(struct config_parser *p, yaml_parser_t *yp,
			     const char *buf, size_t len)
{
	unsigned long line = (unsigned long)yp->problem_mark.line + 1;
	const char *problem = yp->problem ? yp->problem : "unknown error";
	size_t i;

	if (yp->error == YAML_MEMORY_ERROR) {
		snprintf(p->err, p->errlen, "%s: out of memory", p->name);
		return -ENOMEM;
	}
	if (yp->error == YAML_READER_ERROR) {
		/* The reader counts bytes, not lines. */
		line = 1;
		for (i = 0; i < yp->problem_offset && i < len; i++)
			line += buf[i] == '\n';
	}
	if (yp->context)
		snprintf(p->err, p->errlen,
			 "%s:%lu: invalid YAML: %s (%s on line %lu)", p->name,
			 line, problem, yp->context,
			 (unsigned long)yp->context_mark.line + 1);
	else
		snprintf(p->err, p->errlen, "%s:%lu: invalid YAML: %s",
			 p->name, line, problem);
	return -EINVAL;
}

/* A config is one document: a second one is more likely a mistake. */
static int config_check_single(struct config_parser *p, yaml_parser_t *yp,
			       const char *buf, size_t len)
{
	yaml_document_t next;
	yaml_node_t *root;
	int rc = 0;

	if (!yaml_parser_load(yp, &next))
		return config_yaml_error(p, yp, buf, len);
	root = yaml_document_get_root_node(&next);
	if (root)
		rc = config_error(p, root, NULL,
			"a second YAML document: a config is one document");
	yaml_document_delete(&next);
	return rc;
}

/*
 * A first pass over the events that stops at needless nesting: libyaml's
 * scanner slows down quadratically with depth, and no setting nests more
 * than three levels (QuotaManager, a key, its list or mapping).
 */
static int config_check_depth(struct config_parser *p, const char *buf,
			      size_t len)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	int depth = 0, rc = 0;
	bool end = false;

	if (!yaml_parser_initialize(&yp))
		return -ENOMEM;
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	while (!end && rc == 0) {
		if (!yaml_parser_parse(&yp, &ev)) {
			rc = config_yaml_error(p, &yp, buf, len);
			break;
		}
		if (ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT ||
			 ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		end = ev.type == YAML_STREAM_END_EVENT;
		if (depth > CONFIG_MAX_DEPTH)
			rc = config_error_line(p,
				(unsigned long)ev.start_mark.line + 1,
				"nested deeper than %d levels: no setting needs that",
				CONFIG_MAX_DEPTH);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	return rc;
}

int config_load_buffer(struct config *c, const char *name, const char *buf,
		       size_t len, char *err, size_t errlen)
{
	char dummy[1];
	struct config_parser p = {
		.c = c, .name = name, .err = err && errlen ? err : dummy,
		.errlen = err && errlen ? errlen : sizeof(dummy),
	};
	yaml_parser_t yp;
	yaml_document_t doc;
	int rc;

	config_init_defaults(c);
	p.err[0] = '\0';
	if (!buf) {
		buf = "";
		len = 0;
	}
	rc = config_check_depth(&p, buf, len);
	if (rc < 0) {
		config_free(c);
		return rc;
	}
	if (!yaml_parser_initialize(&yp)) {
		snprintf(p.err, p.errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&yp, &doc)) {
		rc = config_yaml_error(&p, &yp, buf, len);
		goto out_parser;
	}
	p.doc = &doc;
	rc = config_parse_document(&p);
	if (rc == 0)
		rc = config_check_single(&p, &yp, buf, len);
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&yp);
	if (rc == -ENOMEM && !p.err[0])
		snprintf(p.err, p.errlen, "%s: out of memory", name);
	if (rc < 0)
		config_free(c);
	return rc;
}

/*
 * Read a whole file into *out (not NUL-terminated).  -EFBIG when it holds
 * more than CONFIG_MAX_FILE bytes.
 */
static int config_read_file(const char *path, char **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *nbuf;
	ssize_t got;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (n == cap) {
			if (n > CONFIG_MAX_FILE) {
				rc = -EFBIG;
				goto out_free;
			}
			cap = cap ? cap * 2 : 4096;
			if (cap > CONFIG_MAX_FILE + 1)
				cap = CONFIG_MAX_FILE + 1;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				rc = -ENOMEM;
				goto out_free;
			}
			buf = nbuf;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -errno;
			goto out_free;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*out = buf;
	*len = n;
	goto out_close;
out_free:
	free(buf);
out_close:
	close(fd);
	return rc;
}

int config_load_file(struct config *c, const char *path, char *err,
		     size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	config_init_defaults(c);
	rc = config_read_file(path, &buf, &len);
	if (rc == -EFBIG) {
		if (err && errlen)
			snprintf(err, errlen,
				 "%s: larger than %d bytes: is it the right file?",
				 path, CONFIG_MAX_FILE);
		return rc;
	}
	if (rc < 0) {
		if (err && errlen)
			snprintf(err, errlen, "cannot read '%s': %s", path,
				 strerror(-rc));
		return rc;
	}
	rc = config_load_buffer(c, path, buf, len, err, errlen);
	free(buf);
	return rc;
}

static int config_cmp_key_str(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(char *const *)elem);
}

static int config_cmp_key_override(const void *key, const void *elem)
{
	return strcmp((const char *)key,
		      ((const struct config_override *)elem)->name);
}

bool config_is_excluded(const struct config *c, const char *name)
{
	if (!c->nexclude)
		return false;
	return bsearch(name, c->exclude, c->nexclude, sizeof(*c->exclude),
		       config_cmp_key_str) != NULL;
}

bool config_home_limits(const struct config *c, const char *name,
			uint64_t *hard_bytes)
{
	const struct config_override *o = NULL;

	if (config_is_excluded(c, name))
		return false;
	if (c->noverrides)
		o = bsearch(name, c->overrides, c->noverrides,
			    sizeof(*c->overrides), config_cmp_key_override);
	*hard_bytes = o ? o->hard_bytes : c->hard_bytes;
	return true;
}

uint64_t config_soft_bytes(const struct config *c, uint64_t hard_bytes)
{
	return c->soft_bytes < hard_bytes ? c->soft_bytes : hard_bytes;
}
