# fs: xfs ext4
# A home created while homequotad runs gets its own project ID and limit at
# once, and the kernel enforces that limit for its owner.
. /vm/lib.sh

vol_make v
cat >/tmp/hq.yaml <<EOC
paths: [$VOL_MNT]
hard_quota: 0.015625
wait_time: 300
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml
expect_eq "1000 1000" "$(stat -c '%u %g' "$VOL_MNT")" "owner of the base path"

# Latency from mkdir to ID and limit in place; the goal is 100 ms, the
# test allows 1 s because the VM is emulated.
worst=0
for i in 1 2 3 4 5; do
	res=$(vmtool mkhome "$VOL_MNT/user$i" 5000) || fail "user$i: $res"
	say "user$i: $res"
	us=${res#ready_us=}
	us=${us%% *}
	[ "$us" -gt "$worst" ] && worst=$us
done
note "slowest of 5 new homes: ID and limit in place after ${worst} us"
[ "$worst" -lt 1000000 ] || fail "a new home waited ${worst} us for its quota"

ids=$(for i in 1 2 3 4 5; do project_of "$VOL_MNT/user$i"; done | sort -u | wc -l)
expect_eq 5 "$ids" "distinct project IDs for five homes"
[ "$(project_of "$VOL_MNT/user1")" -ge 1000 ] || fail "ID below min_projid"

# 0.015625 GiB is 16 MiB.
chown 1000:1000 "$VOL_MNT/user1"
res=$(vmtool fill --uid 1000 "$VOL_MNT/user1/big" 33554432)
say "user1: $res"
expect_eq "$(overrun_errno)" "${res#*error=}" "error past the limit"
written=${res#written=}
written=${written%% *}
[ "$written" -le 16777216 ] && [ "$written" -ge 15728640 ] ||
	fail "stopped at $written bytes, expected close to 16 MiB"

grep -q "home 'user1' in '$VOL_MNT': project id" "$DAEMON_LOG" ||
	fail "no info line for user1"
grep -q "^$(project_of "$VOL_MNT/user1"):$VOL_MNT/user1\$" /tmp/projects ||
	{ cat /tmp/projects; fail "user1 missing from the projects file"; }
grep -q "^user1:$(project_of "$VOL_MNT/user1")\$" /tmp/projid ||
	{ cat /tmp/projid; fail "user1 missing from the projid file"; }
daemon_stop
