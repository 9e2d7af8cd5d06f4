# fs: xfs ext4
# homequotad refuses to start, with one line naming the fix, when a base
# path is missing, not a directory, or without enforced project quotas;
# -n checks a config without starting.
. /vm/lib.sh

vol_make v
vol_make plain 512 noenforce
touch /tmp/afile

refuse() {
	what=$1 path=$2 pattern=$3
	printf 'paths: [%s]\nprojects_file: /tmp/projects\nprojid_file: /tmp/projid\n' "$path" >/tmp/hq.yaml
	if OUT=$(timeout 10 homequotad -c /tmp/hq.yaml 2>&1); then
		fail "$what: started"
	fi
	say "$what: $OUT"
	expect_eq 1 "$(echo "$OUT" | wc -l)" "lines printed for $what"
	echo "$OUT" | grep -q -- "$pattern" || fail "$what: no '$pattern' in: $OUT"
}

refuse "missing path" /mnt/nothere "does not exist"
refuse "a file" /tmp/afile "not a directory"
refuse "no enforcement" /mnt/plain prjquota

printf 'paths: [%s]\nhard_quota: 1\n' "$VOL_MNT" >/tmp/ok.yaml
run "check a good config" homequotad -n -c /tmp/ok.yaml
printf 'paths: [%s]\nhard_quota: -1\n' "$VOL_MNT" >/tmp/bad.yaml
expect_fail "check a bad config" homequotad -n -c /tmp/bad.yaml
echo "$OUT" | grep -q "/tmp/bad.yaml:2: 'hard_quota'" || fail "no file, line and key in: $OUT"
