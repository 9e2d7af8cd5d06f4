/*
 * The projects and projid files that xfs_quota(8) reads, written for people
 * who run it by hand.  The project ID stored on each home's directory is
 * the truth; these files are only a copy and are never read back.
 *
 * Formats, one entry per line, sorted by project ID:
 *   projects:  ID:PATH
 *   projid:    NAME:ID
 * Each file starts with comment lines ('#' first, which xfs_quota skips)
 * saying that homequotad generated it.
 *
 * Escaping: xfs_quota splits a line at the first ':' and cannot read a
 * newline inside one, so names and paths are written with these bytes as
 * \xHH (two lowercase hex digits):
 *   - ':' (0x3a), '\' (0x5c) and '#' (0x23), wherever they appear;
 *   - control bytes 0x00-0x1f and 0x7f;
 *   - bytes 0x80-0xff that are not part of a valid UTF-8 sequence
 *     (overlong forms, surrogates and code points above U+10FFFF are not
 *     valid).
 * Every other byte, valid multi-byte UTF-8 included, is written as is.  A
 * home named "a:b" is thus the project "a\x3ab" for xfs_quota.
 *
 * xfs_quota reads each line into a fixed buffer (up to 510 bytes in projid
 * and 1022 in projects, the newline included) and would split a longer
 * line into two bogus entries, so such an entry is left out of that file
 * with a warning.
 */
#ifndef HOMENFS_PROJFILE_H
#define HOMENFS_PROJFILE_H

#include <stddef.h>
#include <stdint.h>

#define PROJFILE_PROJID_LINE_MAX 510
#define PROJFILE_PROJECTS_LINE_MAX 1022

struct projfile_entry {
	const char *name;	/* home name, raw bytes */
	const char *path;	/* full path of the home, raw bytes */
	uint32_t id;
};

/*
 * Replaces both files with the n entries of e, in ID order (then name and
 * path, so the output never depends on the input order).  Each file is
 * written to a temporary file in its own directory, synced, and renamed
 * over the old one, then the directory is synced; files are mode 0644.
 * Both temporary files are complete before either rename, so a failure
 * leaves both old files intact, except if the second rename itself fails
 * after the first succeeded.  Temporary files never stay behind.  A NULL
 * or empty path skips that file.  Returns 0 or a negative errno.
 */
int projfile_write(const char *projects_path, const char *projid_path,
		   const struct projfile_entry *e, size_t n);

/* The escaped form of raw, as written in the files; NULL on ENOMEM. */
char *projfile_escape(const char *raw);

#endif
