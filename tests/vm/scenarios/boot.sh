# The VM itself: the modules every other scenario needs are loaded and the
# test user exists.
. /vm/lib.sh

for m in xfs ext4 loop quota_v2; do
	grep -q "^$m " /proc/modules || fail "module $m is not loaded"
done
expect_eq 1000 "$(id -u jovyan)" "uid of the test user"
