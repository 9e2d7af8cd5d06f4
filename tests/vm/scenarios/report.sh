# fs: xfs ext4
# `homequota report` shows the usage and limits the kernel holds.
. /vm/lib.sh

vol_make v
mkdir "$VOL_MNT/alice"
chown 1000:1000 "$VOL_MNT/alice"
run "set" homequota set "$VOL_MNT/alice" --id 1001 --hard 20M --soft 15M \
	--inodes-hard 500
res=$(vmtool fill --uid 1000 "$VOL_MNT/alice/five" 5242880)
expect_eq "written=5242880 error=none" "$res" "write under the limit"

run "report" homequota report --bytes "$VOL_MNT"
say "$OUT"
line=$(echo "$OUT" | awk '$1 == "1001"')
[ -n "$line" ] || fail "no line for project 1001"
set -- $line
used=$2
# The file's 5 MiB plus at most a few blocks for the directory.
[ "$used" -ge 5242880 ] && [ "$used" -le 5373952 ] ||
	fail "used is $used bytes, expected about 5 MiB"
expect_eq 15728640 "$3" "soft limit in bytes"
expect_eq 20971520 "$4" "hard limit in bytes"
expect_eq 2 "$5" "inodes used (the home and one file)"
expect_eq 500 "$7" "inode hard limit"

run "human report" homequota report "$VOL_MNT"
say "$OUT"
set -- $(echo "$OUT" | awk '$1 == "1001"')
expect_eq 20M "$4" "hard limit in human form"
