# fs: xfs ext4
# When the inotify queue overflows, homequotad runs a full pass at once, so
# no home created in a burst is missed.
. /vm/lib.sh

vol_make v
B=$VOL_MNT
echo 16 >/proc/sys/fs/inotify/max_queued_events
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 1
wait_time: 3600
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml

# Freeze the daemon so the events pile up past the queue's 16 slots.
kill -STOP "$DAEMON_PID"
i=0
while [ "$i" -lt 100 ]; do
	mkdir "$B/burst$i"
	i=$((i + 1))
done
kill -CONT "$DAEMON_PID"
log_wait 10 "inotify queue overflowed"
wait_for 30 sh -c "[ \$(grep -c '^burst' /tmp/projid) -eq 100 ]" ||
	fail "only $(grep -c '^burst' /tmp/projid) of 100 homes in projid"
ids=$(i=0; while [ "$i" -lt 100 ]; do project_of "$B/burst$i"; i=$((i + 1)); done | sort -u)
expect_eq 100 "$(echo "$ids" | wc -l)" "distinct IDs for 100 homes"
echo "$ids" | grep -qx 0 && fail "a home has no project"
daemon_stop
echo 16384 >/proc/sys/fs/inotify/max_queued_events
