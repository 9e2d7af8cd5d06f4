# fs: xfs ext4
# timeout: 600
# SIGTERM stops homequotad within a second even mid-walk; SIGHUP reloads
# the config, and keeps the old one, saying why, when the new one is bad.
. /vm/lib.sh

vol_make v 1024
B=$VOL_MNT
mkdir "$B/alice" "$B/big"
vmtool mkfiles "$B/big" 50000 1000
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 1
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml
a=$(project_of "$B/alice")
expect_eq 1073741824 "$(quota_field "$a" 4)" "alice's limit"

log_wait 30 "home 'big' in '$B': project id .* set, adopting"
grep -q "home 'big' in '$B': adopted" "$DAEMON_LOG" &&
	fail "adoption finished too early to test SIGTERM mid-walk"
kill -TERM "$DAEMON_PID"
wait_for 1 sh -c "! kill -0 $DAEMON_PID" || fail "still running 1 s after SIGTERM"
wait "$DAEMON_PID" || fail "exit status $? after SIGTERM"
say "stopped mid-walk within 1 s"

daemon_start /tmp/hq.yaml
log_wait 600 "home 'big' in '$B': adopted"

# A bad config is refused and the old limits stay.
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 2
projects_file: /tmp/projects
projid_file: /tmp/projid
wait_tme: 5
EOC
kill -HUP "$DAEMON_PID"
log_wait 10 "reload failed, keeping the old configuration"
say "$(grep 'reload failed' "$DAEMON_LOG")"
grep 'reload failed' "$DAEMON_LOG" | grep -q "wait_tme" || fail "reason does not name the key"
expect_eq 1073741824 "$(quota_field "$a" 4)" "alice's limit after a bad reload"

# A good one takes effect.
sed -i '/wait_tme/d' /tmp/hq.yaml
kill -HUP "$DAEMON_PID"
log_wait 10 "configuration reloaded"
expect_eq 2147483648 "$(quota_field "$a" 4)" "alice's limit after reload"
daemon_stop
