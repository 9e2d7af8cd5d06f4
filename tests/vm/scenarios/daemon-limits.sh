# fs: xfs ext4
# Limits follow the config: overrides, excluded homes without a limit,
# limits changed by hand put back within one pass, removed homes dropped.
. /vm/lib.sh

vol_make v
B=$VOL_MNT
mkdir "$B/alice" "$B/bob" "$B/admin" "$B/carol"
cat >/tmp/hq.yaml <<EOC
QuotaManager:
  paths: [$B]
  hard_quota: 0.5
  soft_quota: 0.25
  hard_inodes: 10000
  wait_time: 1
  exclude: [admin]
  quota_overrides:
    bob: 0.0625
  projects_file: /tmp/projects
  projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml

a=$(project_of "$B/alice")
b=$(project_of "$B/bob")
adm=$(project_of "$B/admin")
expect_eq 536870912 "$(quota_field "$a" 4)" "alice's hard limit (0.5 GiB)"
expect_eq 268435456 "$(quota_field "$a" 3)" "alice's soft limit"
expect_eq 10000 "$(quota_field "$a" 7)" "alice's inode limit"
expect_eq 67108864 "$(quota_field "$b" 4)" "bob's override (64 MiB)"
expect_eq 67108864 "$(quota_field "$b" 3)" "bob's soft limit, capped at his hard limit"
[ "$adm" -ge 1000 ] || fail "admin has no project of its own"
expect_eq - "$(quota_field "$adm" 4)" "admin's hard limit"

# The excluded home can grow past the default limit.
chown 1000:1000 "$B/admin" "$B/bob"
res=$(vmtool fill --uid 1000 "$B/admin/big" 100000000)
expect_eq "written=100000000 error=none" "$res" "excluded home"
res=$(vmtool fill --uid 1000 "$B/bob/big" 100000000)
expect_eq "$(overrun_errno)" "${res#*error=}" "bob past his override"

# A limit changed by hand is put back by the next pass (1 s), which logs
# the limit it sets again.
put="home 'alice' in '$B': project id $a, hard limit 512M"
before=$(grep -c "$put" "$DAEMON_LOG")
homequota set "$B/alice" --id "$a" --hard 1G >/dev/null
wait_for 5 sh -c "[ \$(grep -c \"$put\" $DAEMON_LOG) -gt $before ]" ||
	fail "alice's limit was not put back"
expect_eq 536870912 "$(quota_field "$a" 4)" "alice's limit after the pass"

# A removed home leaves the projects files.
rm -rf "$B/carol"
wait_for 5 sh -c "! grep -q '^carol:' /tmp/projid" || fail "carol still in projid"
grep -q "home 'carol' in '$B' is gone" "$DAEMON_LOG" || fail "no line for carol"
daemon_stop
