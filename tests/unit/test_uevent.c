#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/homequotad/uevent.h"

#define MSG(s) s, sizeof(s) - 1

static void test_loop_resize(void **state)
{
	assert_true(uevent_is_resize(MSG(
		"change@/devices/virtual/block/loop0\0ACTION=change\0"
		"DEVPATH=/devices/virtual/block/loop0\0SUBSYSTEM=block\0"
		"RESIZE=1\0MAJOR=7\0MINOR=0\0DEVNAME=loop0\0DEVTYPE=disk\0"
		"SEQNUM=1234\0")));
}

static void test_not_resize(void **state)
{
	/* A change without RESIZE=1 (a media change, say). */
	assert_false(uevent_is_resize(MSG(
		"change@/devices/virtual/block/loop0\0ACTION=change\0"
		"SUBSYSTEM=block\0DEVNAME=loop0\0")));
	/* Another subsystem. */
	assert_false(uevent_is_resize(MSG(
		"change@/devices/x\0ACTION=change\0SUBSYSTEM=net\0RESIZE=1\0")));
	/* Another action. */
	assert_false(uevent_is_resize(MSG(
		"add@/devices/virtual/block/loop1\0ACTION=add\0"
		"SUBSYSTEM=block\0RESIZE=1\0")));
	/* udev's own messages and garbage. */
	assert_false(uevent_is_resize(MSG("libudev\0\xfe\xed\xca\xfe")));
	assert_false(uevent_is_resize(MSG("chan")));
	assert_false(uevent_is_resize("", 0));
}

static void test_fields_need_exact_match(void **state)
{
	assert_false(uevent_is_resize(MSG(
		"change@/d\0ACTION=change\0SUBSYSTEM=blockx\0RESIZE=10\0")));
	/* No NUL at the very end: the last field still counts. */
	assert_true(uevent_is_resize(MSG(
		"change@/d\0ACTION=change\0SUBSYSTEM=block\0RESIZE=1")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_resize),
		cmocka_unit_test(test_not_resize),
		cmocka_unit_test(test_fields_need_exact_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
