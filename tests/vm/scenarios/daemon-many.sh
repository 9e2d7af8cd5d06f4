# fs: xfs
# timeout: 600
# Two thousand homes appear at once under a daemon allowed only 256 open
# files: adoptions wait their turn without holding descriptors, and every
# home is adopted.
. /vm/lib.sh

vol_make v 1024
B=$VOL_MNT
vmtool mkdirs "$B" 2000 u
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 1
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
ulimit -n 256
daemon_start /tmp/hq.yaml
wait_for 300 sh -c "[ \$(grep -c ': adopted ' $DAEMON_LOG) -ge 2000 ]" ||
	fail "only $(grep -c ': adopted ' "$DAEMON_LOG") of 2000 homes adopted"
grep -q "cannot walk" "$DAEMON_LOG" && fail "a walk could not start"
expect_eq 2000 "$(grep -vc '^#' /tmp/projid)" "homes in projid"
note "2000 homes adopted: $(grep -o 'first full pass done in .*' "$DAEMON_LOG")"
daemon_stop
