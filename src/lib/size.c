#include "size.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

/* Suffix letters in order; index + 1 is the power of 1024. */
static const char size_units[] = "KMGTPE";

/*
 * More fraction digits than this are checked but ignored: 10^18 still
 * fits twice in a uint64_t, which size_fraction() needs, and the ignored
 * digits are worth less than two bytes even with an E suffix.
 */
#define SIZE_FRAC_DIGITS 18

/* The syntax of one size, split into its parts before any arithmetic. */
struct size_text {
	uint64_t whole;
	bool whole_overflow;
	uint64_t frac;		/* the digits after the point, kept */
	uint64_t frac_scale;	/* 10^(number of digits kept) */
	bool has_point;
	unsigned shift;		/* 10 * power of 1024 */
};

/* Reads the digits at *p into t->whole, noting overflow rather than failing. */
static bool size_scan_whole(const char **p, struct size_text *t)
{
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (t->whole > (UINT64_MAX - d) / 10)
			t->whole_overflow = true;
		else
			t->whole = t->whole * 10 + d;
	}
	*p = s;
	return true;
}

/* Reads ".digits" at *p, if there is a point; a point needs a digit after. */
static bool size_scan_fraction(const char **p, struct size_text *t)
{
	const char *s = *p;
	unsigned n = 0;

	t->frac = 0;
	t->frac_scale = 1;
	if (*s != '.')
		return true;
	t->has_point = true;
	s++;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n >= SIZE_FRAC_DIGITS)
			continue;
		t->frac = t->frac * 10 + (uint64_t)(*s - '0');
		t->frac_scale *= 10;
	}
	*p = s;
	return true;
}

/*
 * Reads an optional unit letter, then an optional "i" (only after a unit),
 * then an optional "B"; anything left over is malformed.
 */
static bool size_scan_suffix(const char *s, struct size_text *t)
{
	t->shift = 0;
	for (unsigned i = 0; size_units[i]; i++) {
		if ((*s & ~0x20) == size_units[i]) {
			t->shift = 10 * (i + 1);
			s++;
			if (*s == 'i' || *s == 'I')
				s++;
			break;
		}
	}
	if (*s == 'b' || *s == 'B')
		s++;
	return *s == '\0';
}

/*
 * floor(frac / scale * 2^shift) without overflow: one bit of the quotient
 * per doubling of the remainder, which stays below scale <= 10^18.
 */
static uint64_t size_fraction(uint64_t frac, uint64_t scale, unsigned shift)
{
	uint64_t q = 0;
	uint64_t r = frac;

	for (unsigned i = 0; i < shift; i++) {
		r *= 2;
		q *= 2;
		if (r >= scale) {
			q |= 1;
			r -= scale;
		}
	}
	return q;
}

int size_parse(const char *s, uint64_t *bytes)
{
	struct size_text t = { 0 };
	uint64_t frac_bytes;

	if (!s || !size_scan_whole(&s, &t) || !size_scan_fraction(&s, &t) ||
	    !size_scan_suffix(s, &t))
		return -EINVAL;
	/* "1.5" is almost surely a forgotten unit, not a fraction of a byte. */
	if (t.has_point && t.shift == 0)
		return -EINVAL;
	if (t.whole_overflow || (t.shift && t.whole > UINT64_MAX >> t.shift))
		return -ERANGE;

	/*
	 * No overflow check is needed here: whole << shift is at most
	 * 2^64 - 2^shift and the fraction adds less than 2^shift.
	 */
	frac_bytes = size_fraction(t.frac, t.frac_scale, t.shift);
	*bytes = (t.whole << t.shift) + frac_bytes;
	return 0;
}

/*
 * The tenth is rounded down, so a usage shown just under a limit is never
 * really over it, and the digits before the point never reach 1024.
 */
char *size_format(uint64_t bytes, char *buf, size_t buflen)
{
	unsigned i = 0;
	unsigned shift;
	uint64_t whole, tenth;

	if (!buflen)
		return buf;
	while (i < sizeof(size_units) - 1 && bytes >> (10 * (i + 1)))
		i++;
	if (i == 0) {
		snprintf(buf, buflen, "%llu", (unsigned long long)bytes);
		return buf;
	}

	shift = 10 * i;
	whole = bytes >> shift;
	/* The remainder is below 2^60, so ten times it still fits. */
	tenth = ((bytes & ((UINT64_C(1) << shift) - 1)) * 10) >> shift;
	if (tenth)
		snprintf(buf, buflen, "%llu.%llu%c", (unsigned long long)whole,
			 (unsigned long long)tenth, size_units[i - 1]);
	else
		snprintf(buf, buflen, "%llu%c", (unsigned long long)whole,
			 size_units[i - 1]);
	return buf;
}
