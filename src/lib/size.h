/*
 * Byte sizes as people write them.  Suffixes are binary: K = 2^10,
 * M = 2^20, G = 2^30, T = 2^40, P = 2^50, E = 2^60, in either case (an
 * optional "i" and "B" are accepted, so "10G", "10GiB" and "10gb" are the
 * same).  A plain number is bytes.
 * Decimals are allowed with a suffix ("1.5G") and rounded down to a byte.
 */
#ifndef HOMENFS_SIZE_H
#define HOMENFS_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -EINVAL for malformed text, -ERANGE for more than UINT64_MAX. */
int size_parse(const char *s, uint64_t *bytes);

/*
 * Human form with at most one decimal and a binary suffix: "0", "512",
 * "1.5K", "10G".  Returns buf.  buflen of SIZE_FMT_LEN is always enough.
 */
#define SIZE_FMT_LEN 16
char *size_format(uint64_t bytes, char *buf, size_t buflen);

#endif
