# fs: xfs ext4
# timeout: 900
# kill -9 in the middle of adopting a large home, then a restart: the
# adoption is finished, every inode carries the home's ID, no two homes
# share an ID, usage stays with its home and the projects files are whole.
# Also reports how long adopting 100,000 files takes in this VM.
. /vm/lib.sh

vol_make v 2048
B=$VOL_MNT
mkdir "$B/big" "$B/small"
vmtool mkfiles "$B/big" 100000 1000
echo data >"$B/small/file"
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 1
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC

# First, a full adoption for the timing figure, on a copy of the layout.
daemon_start /tmp/hq.yaml
log_wait 600 "home 'big' in '$B': adopted"
note "$(grep "home 'big' in '$B': adopted" "$DAEMON_LOG" | sed 's/.*: adopted/adopted/')"
daemon_stop

# Take the ID away by hand so the next start adopts the tree again, then
# kill the daemon while it is walking.
homequota set "$B/big" --id 7 --hard 1G >/dev/null
daemon_start /tmp/hq.yaml
log_wait 30 "home 'big' in '$B': project id .* set, adopting"
usleep 300000
grep -q "home 'big' in '$B': adopted" "$DAEMON_LOG" &&
	fail "adoption finished before the kill; make the tree larger"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
say "killed during adoption"

daemon_start /tmp/hq.yaml
log_wait 600 "home 'big' in '$B': adopted"
id=$(project_of "$B/big")
res=$(vmtool treecheck "$B/big" "$id")
say "big: id $id: $res"
case $res in *" wrong=0") ;; *) fail "big: $res" ;; esac
# 100,000 files, 100 subdirectories and the home itself.
expect_eq 100101 "$(quota_field "$id" 5)" "inodes charged to big"
[ "$(project_of "$B/small")" != "$id" ] || fail "small shares big's ID"
expect_eq 2 "$(grep -vc '^#' /tmp/projid)" "lines in projid"
expect_eq 2 "$(grep -vc '^#' /tmp/projects)" "lines in projects"
daemon_stop
