# fs: xfs ext4
# timeout: 600
# With auto_resize on, homequotad grows a base path's filesystem online
# within a few resize intervals of its device growing: one log line with
# the old and new sizes, files, project IDs and limits unchanged, nothing
# logged again at the next intervals.
. /vm/lib.sh

df_kib() {
	df -k "$VOL_MNT" | awk 'NR == 2 { print $2 }'
}

vol_make g 512
img=$VOLDIR/g.img
mkdir "$VOL_MNT/alice" "$VOL_MNT/bob"
chown 1000:1000 "$VOL_MNT/alice"
cat >/tmp/hq.yaml <<EOC
paths: [$VOL_MNT]
hard_quota: 0.015625
wait_time: 300
auto_resize: true
resize_interval: 2
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml

alice_id=$(project_of "$VOL_MNT/alice")
[ "$alice_id" -ge 1000 ] || fail "alice has no project ID: '$alice_id'"
res=$(vmtool fill --uid 1000 "$VOL_MNT/alice/eight" 8388608)
expect_eq "written=8388608 error=none" "$res" "eight MiB into alice"
# Bulk data in a dot directory, which is not a home.
mkdir "$VOL_MNT/.bulk"
for i in 1 2 3 4; do
	res=$(vmtool fill "$VOL_MNT/.bulk/zero$i" 104857600)
	expect_eq "written=104857600 error=none" "$res" "zero$i"
done
dd if=/dev/urandom of="$VOL_MNT/bob/random" bs=1048576 count=4 2>/dev/null
sync
(cd "$VOL_MNT" && sha256sum alice/eight .bulk/zero* bob/random) >/tmp/sums
quota_before=$(homequota report --bytes "$VOL_MNT" | awk -v id="$alice_id" '$1 == id')
[ -n "$quota_before" ] || fail "no project $alice_id in the report"
before=$(df_kib)

# Nothing to grow yet: the daemon must not claim it grew.
sleep 5
grep -q "grew" "$DAEMON_LOG" && { cat "$DAEMON_LOG"; fail "'grew' logged before the device grew"; }

truncate -s 1024M "$img"
$LOSETUP -c "$VOL_DEV"
log_wait 10 "grew"
line=$(grep "grew" "$DAEMON_LOG")
say "log: $line"
echo "$line" | grep -q "$VOL_MNT" || fail "the log line does not name '$VOL_MNT': $line"
echo "$line" | grep -q "grew from [0-9.]*[KMG]* to [0-9.]*[KMG]" ||
	fail "no old and new sizes in: $line"

after=$(df_kib)
[ "$after" -ge $((before + 450 * 1024)) ] ||
	fail "df size went from $before KiB only to $after KiB"
run "checksums" sh -c "cd '$VOL_MNT' && sha256sum -c /tmp/sums"
expect_eq "$alice_id" "$(project_of "$VOL_MNT/alice")" "alice's project after growing"
expect_eq "$quota_before" "$(homequota report --bytes "$VOL_MNT" | awk -v id="$alice_id" '$1 == id')" "alice's report line after growing"
res=$(vmtool fill --uid 1000 "$VOL_MNT/alice/more" 16777216)
expect_eq "$(overrun_errno)" "${res#*error=}" "alice's limit still enforced"

# Later intervals find the device filled and log nothing more.
sleep 6
expect_eq 1 "$(grep -c "grew" "$DAEMON_LOG")" "'grew' lines after three more intervals"
kill -0 "$DAEMON_PID" || fail "homequotad died"
daemon_stop
