# fs: xfs ext4
# On a filesystem that does not enforce project quotas, `homequota set`
# refuses with one line and a non-zero exit, and changes nothing.
. /vm/lib.sh

check_refusal() {
	mkdir -p "$VOL_MNT/alice"
	if OUT=$(homequota set "$VOL_MNT/alice" --id 1001 --hard 20M 2>&1); then
		fail "set succeeded on $1: $OUT"
	else
		rc=$?
	fi
	say "$1: exit $rc: $OUT"
	[ "$rc" -ne 0 ] || fail "exit status 0"
	expect_eq 1 "$(echo "$OUT" | wc -l)" "lines of output on $1"
	echo "$OUT" | grep -q prjquota || fail "no fix named on $1: $OUT"
	expect_eq "0 noinherit" "$(vmtool projid "$VOL_MNT/alice")" "project of alice on $1"
}

vol_make plain 512 noenforce
check_refusal "$FS without prjquota"

if [ "$FS" = ext4 ]; then
	umount /mnt/plain
	vol_make nofeature 512 nofeature
	check_refusal "ext4 without the project feature"
fi
