# fs: xfs ext4
# timeout: 600
# The growth module on its own, through growtool: a nearly full filesystem
# grows online to fill its enlarged loop device, its files and a home's
# project quota come through unchanged, the new space can be written, a
# second check does nothing, and a device made smaller than its
# filesystem is refused.
. /vm/lib.sh

# field NAME LINE: the value of NAME=VALUE in a growtool result line.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

df_kib() {
	df -k "$VOL_MNT" | awk 'NR == 2 { print $2 }'
}

vol_make g 512
img=$VOLDIR/g.img

mkdir "$VOL_MNT/alice"
chown 1000:1000 "$VOL_MNT/alice"
run "set" homequota set "$VOL_MNT/alice" --id 1001 --hard 20M
res=$(vmtool fill --uid 1000 "$VOL_MNT/alice/ten" 10485760)
expect_eq "written=10485760 error=none" "$res" "ten MiB into alice"

# Nearly full: four 100 MiB files of zeros and a few random ones.
for i in 1 2 3 4; do
	res=$(vmtool fill "$VOL_MNT/zero$i" 104857600)
	expect_eq "written=104857600 error=none" "$res" "zero$i"
done
for i in 1 2 3; do
	dd if=/dev/urandom of="$VOL_MNT/random$i" bs=1048576 count=2 2>/dev/null
done
sync
(cd "$VOL_MNT" && sha256sum alice/ten zero* random*) >/tmp/sums
say "before: $(df -k "$VOL_MNT" | tail -n 1)"
before=$(df_kib)
quota_before=$(homequota report --bytes "$VOL_MNT" | awk '$1 == 1001')
[ -n "$quota_before" ] || fail "no project 1001 in the report"

# A device no larger than its filesystem: nothing to do.
run "check before enlarging" growtool "$VOL_MNT"
say "$OUT"
expect_eq "0 0" "$(field rc "$OUT") $(field grew "$OUT")" "rc and grew before enlarging"

truncate -s 1024M "$img"
$LOSETUP -c "$VOL_DEV"

# Two checks in one process, as the daemon makes them at two intervals.
run "grow" growtool "$VOL_MNT" 2
say "$OUT"
first=$(echo "$OUT" | sed -n 1p)
expect_eq "0 1" "$(field rc "$first") $(field grew "$first")" "rc and grew after enlarging"
expect_eq 1073741824 "$(field dev "$first")" "device size seen"
echo "$OUT" | sed -n 2p | grep -q "^'$VOL_MNT' grew from " ||
	fail "no 'grew from' line in: $OUT"
note "$FS: $(echo "$OUT" | sed -n 2p)"
second=$(echo "$OUT" | sed -n 3p)
expect_eq "0 0" "$(field rc "$second") $(field grew "$second")" "rc and grew at the next check"

after=$(df_kib)
say "after: $(df -k "$VOL_MNT" | tail -n 1)"
[ "$after" -ge $((before + 450 * 1024)) ] ||
	fail "df size went from $before KiB only to $after KiB"
expect_eq "$(field new "$first")" "$((after * 1024))" "new size against df"

run "checksums" sh -c "cd '$VOL_MNT' && sha256sum -c /tmp/sums"
expect_eq "$quota_before" "$(homequota report --bytes "$VOL_MNT" | awk '$1 == 1001')" "project 1001 in the report"
expect_eq "1001 inherit" "$(vmtool projid "$VOL_MNT/alice")" "alice's project"
res=$(vmtool fill --uid 1000 "$VOL_MNT/alice/more" 20971520)
expect_eq "$(overrun_errno)" "${res#*error=}" "alice's limit still enforced"

# The new space is there to use.
res=$(vmtool fill "$VOL_MNT/new" 314572800)
expect_eq "written=314572800 error=none" "$res" "300 MiB into the new space"

# A fresh process with the device already filled: nothing to do.
run "check again" growtool "$VOL_MNT"
say "$OUT"
expect_eq "0 0" "$(field rc "$OUT") $(field grew "$OUT")" "rc and grew once grown"

# Shrinking the device under the filesystem is refused, never followed.
rm "$VOL_MNT/new"
sync
truncate -s 768M "$img"
$LOSETUP -c "$VOL_DEV"
expect_fail "a shrunk device" growtool "$VOL_MNT"
echo "$OUT" | grep -q "rc=34 " || fail "not ERANGE: $OUT"
echo "$OUT" | grep -q "larger than its device" || fail "no reason in: $OUT"
note "$FS: $(echo "$OUT" | sed -n 2p)"
expect_eq "$((after * 1024))" "$(($(df_kib) * 1024))" "size after the refusal"
