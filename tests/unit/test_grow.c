/*
 * Tests of the pure parts of online growth: reading a device size from a
 * sysfs tree (a fake one under /tmp), the growth decision, and the refusal
 * of a filesystem that is neither XFS nor ext4.  Growing a real filesystem
 * is tested in the VM (tests/vm/scenarios/grow-module.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../src/homequotad/grow.h"

#define MIB (1024ULL * 1024)

struct fakesys {
	char root[64];
	char dir[192];
	char file[256];
};

/* A sysfs tree with /dev/block/7:3 in it, and that device's size file. */
static void fakesys_make(struct fakesys *f)
{
	char path[128];

	strcpy(f->root, "/tmp/homenfs-grow.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(path, sizeof(path), "%s/dev", f->root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/dev/block", f->root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(f->dir, sizeof(f->dir), "%s/7:3", path);
	assert_int_equal(mkdir(f->dir, 0755), 0);
	snprintf(f->file, sizeof(f->file), "%s/size", f->dir);
}

static void fakesys_write(const struct fakesys *f, const char *text)
{
	FILE *fp = fopen(f->file, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void fakesys_remove(struct fakesys *f)
{
	char path[128];

	unlink(f->file);
	rmdir(f->dir);
	snprintf(path, sizeof(path), "%s/dev/block", f->root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/dev", f->root);
	rmdir(path);
	assert_int_equal(rmdir(f->root), 0);
}

static void test_parse_sectors(void **state)
{
	uint64_t b = 1;

	assert_int_equal(grow_parse_sectors("2048\n", &b), 0);
	assert_int_equal(b, 1 * MIB);
	assert_int_equal(grow_parse_sectors("0\n", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(grow_parse_sectors("1", &b), 0);
	assert_int_equal(b, 512);
	/* The largest count whose byte size still fits. */
	assert_int_equal(grow_parse_sectors("36028797018963967\n", &b), 0);
	assert_int_equal(b, UINT64_MAX - 511);
}

static void test_parse_sectors_bad(void **state)
{
	static const char *const bad[] = {
		"", "\n", "abc\n", "-1\n", "+1\n", " 12\n", "12 \n", "12\n\n",
		"0x10\n", "12k\n", "1.5\n",
	};
	uint64_t b = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(grow_parse_sectors(bad[i], &b), -EINVAL);
	assert_int_equal(grow_parse_sectors("36028797018963968\n", &b),
			 -ERANGE);
	assert_int_equal(grow_parse_sectors("99999999999999999999999\n", &b),
			 -ERANGE);
	assert_int_equal(b, 42);
}

static void test_device_bytes(void **state)
{
	struct fakesys f;
	uint64_t b = 0;

	fakesys_make(&f);
	fakesys_write(&f, "1048576\n");
	assert_int_equal(grow_device_bytes(f.root, makedev(7, 3), &b), 0);
	assert_int_equal(b, 512 * MIB);

	/* A loop device after `losetup -c`: the same file, a new number. */
	fakesys_write(&f, "2097152\n");
	assert_int_equal(grow_device_bytes(f.root, makedev(7, 3), &b), 0);
	assert_int_equal(b, 1024 * MIB);
	fakesys_remove(&f);
}

static void test_device_bytes_missing(void **state)
{
	struct fakesys f;
	uint64_t b = 42;

	fakesys_make(&f);
	fakesys_write(&f, "2048\n");
	assert_int_equal(grow_device_bytes(f.root, makedev(7, 4), &b),
			 -ENODEV);
	assert_int_equal(grow_device_bytes(f.root, makedev(8, 3), &b),
			 -ENODEV);
	assert_int_equal(grow_device_bytes("/nonexistent-sysfs",
					   makedev(7, 3), &b), -ENODEV);
	assert_int_equal(b, 42);
	fakesys_remove(&f);
}

static void test_device_bytes_garbage(void **state)
{
	struct fakesys f;
	uint64_t b = 42;

	fakesys_make(&f);
	fakesys_write(&f, "");
	assert_int_equal(grow_device_bytes(f.root, makedev(7, 3), &b),
			 -EINVAL);
	fakesys_write(&f, "lots\n");
	assert_int_equal(grow_device_bytes(f.root, makedev(7, 3), &b),
			 -EINVAL);
	/* Longer than any sector count, though it starts like one. */
	fakesys_write(&f, "2048\n00000000000000000000000000000000000000\n");
	assert_int_equal(grow_device_bytes(f.root, makedev(7, 3), &b),
			 -EINVAL);
	assert_int_equal(b, 42);
	fakesys_remove(&f);
}

/* XFS: the filesystem size is exact, so equal means nothing to do. */
static void test_decide_exact(void **state)
{
	struct grow_state st = { 0 };
	uint64_t nb = 0;

	assert_int_equal(grow_decide(&st, 512 * MIB, 4096, 131072, true, &nb),
			 GROW_NOTHING);
	assert_int_equal(grow_decide(&st, 1024 * MIB, 4096, 131072, true, &nb),
			 GROW_EXTEND);
	assert_int_equal(nb, 262144);
	/* Less than one more block: nothing to add. */
	assert_int_equal(grow_decide(&st, 512 * MIB + 4095, 4096, 131072,
				     true, &nb), GROW_NOTHING);
	/* A partial last block is left out. */
	assert_int_equal(grow_decide(&st, 512 * MIB + 4096 + 100, 4096,
				     131072, true, &nb), GROW_EXTEND);
	assert_int_equal(nb, 131073);
	assert_int_equal(grow_decide(&st, 256 * MIB, 4096, 131072, true, &nb),
			 GROW_SHRUNK);
	assert_int_equal(grow_decide(&st, 512 * MIB - 1, 4096, 131072, true,
				     &nb), GROW_SHRUNK);
}

/* ext4: statfs leaves out the overhead, so the kernel gets to decide. */
static void test_decide_lower_bound(void **state)
{
	struct grow_state st = { 0 };
	uint64_t nb = 0;

	assert_int_equal(grow_decide(&st, 512 * MIB, 4096, 126000, false,
				     &nb), GROW_EXTEND);
	assert_int_equal(nb, 131072);
	assert_int_equal(grow_decide(&st, 512 * MIB, 1024, 500000, false,
				     &nb), GROW_EXTEND);
	assert_int_equal(nb, 524288);
	assert_int_equal(grow_decide(&st, 400 * MIB, 4096, 126000, false,
				     &nb), GROW_SHRUNK);
}

/* A device size already dealt with is not looked at again. */
static void test_decide_seen(void **state)
{
	struct grow_state st = { .seen_bytes = 1024 * MIB };
	uint64_t nb = 7;

	assert_int_equal(grow_decide(&st, 1024 * MIB, 4096, 126000, false,
				     &nb), GROW_NOTHING);
	assert_int_equal(grow_decide(&st, 1024 * MIB, 4096, 131072, true,
				     &nb), GROW_NOTHING);
	/* Even a shrink is reported once per device size. */
	st.seen_bytes = 256 * MIB;
	assert_int_equal(grow_decide(&st, 256 * MIB, 4096, 131072, true, &nb),
			 GROW_NOTHING);
	assert_int_equal(nb, 7);
	assert_int_equal(grow_decide(&st, 2048 * MIB, 4096, 131072, true,
				     &nb), GROW_EXTEND);
	assert_int_equal(nb, 524288);
	assert_int_equal(grow_decide(&st, 2048 * MIB, 0, 131072, true, &nb),
			 GROW_NOTHING);
}

static void test_check_other_fs(void **state)
{
	struct grow_state st = { 0 };
	struct grow_result res;
	char msg[256];
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(grow_check(&st, fd, "/proc", &res, msg, sizeof(msg)),
			 -EOPNOTSUPP);
	assert_false(res.grew);
	assert_string_equal(msg,
			    "'/proc' is neither on xfs nor on ext4: cannot grow it online");
	assert_int_equal(st.seen_bytes, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sectors),
		cmocka_unit_test(test_parse_sectors_bad),
		cmocka_unit_test(test_device_bytes),
		cmocka_unit_test(test_device_bytes_missing),
		cmocka_unit_test(test_device_bytes_garbage),
		cmocka_unit_test(test_decide_exact),
		cmocka_unit_test(test_decide_lower_bound),
		cmocka_unit_test(test_decide_seen),
		cmocka_unit_test(test_check_other_fs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
