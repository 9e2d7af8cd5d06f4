# fs: xfs ext4
# IDs are read back from the homes, not from the projects files: they stay
# the same across restarts, lost or corrupt files are rewritten, and two
# homes found sharing an ID are split without moving usage between them.
. /vm/lib.sh

vol_make v
B=$VOL_MNT
mkdir "$B/alice" "$B/bob"
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 1
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml
a=$(project_of "$B/alice")
b=$(project_of "$B/bob")
daemon_stop

rm /tmp/projects
printf 'garbage\0\377:::\n' >/tmp/projid
daemon_start /tmp/hq.yaml
expect_eq "$a" "$(project_of "$B/alice")" "alice's ID after a restart"
expect_eq "$b" "$(project_of "$B/bob")" "bob's ID after a restart"
grep -q "^alice:$a\$" /tmp/projid || fail "projid not rewritten"
grep -q "^$b:$B/bob\$" /tmp/projects || fail "projects not rewritten"
grep -q garbage /tmp/projid && fail "corrupt projid kept"
daemon_stop

# carol gets bob's ID by hand while the daemon is down; she holds 1 MiB.
mkdir "$B/carol"
homequota set "$B/carol" --id "$b" --hard 1G >/dev/null
dd if=/dev/zero of="$B/carol/data" bs=1M count=1 2>/dev/null
dd if=/dev/zero of="$B/bob/data" bs=1M count=2 2>/dev/null
sync
daemon_start /tmp/hq.yaml
log_wait 30 "adopted"
c=$(project_of "$B/carol")
b2=$(project_of "$B/bob")
say "alice $a, bob $b2, carol $c"
[ "$c" != "$b2" ] || fail "bob and carol share project $c"
expect_eq "$a" "$(project_of "$B/alice")" "alice's ID"
# Whoever kept the ID kept exactly their own usage.
ub=$(quota_field "$b2" 2)
uc=$(quota_field "$c" 2)
say "bob uses $ub, carol uses $uc"
[ "$ub" -ge 2097152 ] && [ "$ub" -lt 3145728 ] || fail "bob's usage is $ub"
[ "$uc" -ge 1048576 ] && [ "$uc" -lt 2097152 ] || fail "carol's usage is $uc"
daemon_stop
