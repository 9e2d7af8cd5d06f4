# fs: xfs ext4
# The kernel announces a disk's new size with a uevent; homequotad grows
# the filesystem at once instead of waiting for resize_interval (an hour
# here).
. /vm/lib.sh

vol_make u 512
mkdir "$VOL_MNT/alice"
cat >/tmp/hq.yaml <<EOC
paths: [$VOL_MNT]
auto_resize: true
resize_interval: 3600
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml
before=$(df -k "$VOL_MNT" | awk 'NR == 2 { print $2 }')
truncate -s 1024M "$VOLDIR/u.img"
$LOSETUP -c "$VOL_DEV"
log_wait 5 "grew"
say "$(grep grew "$DAEMON_LOG")"
after=$(df -k "$VOL_MNT" | awk 'NR == 2 { print $2 }')
[ "$after" -ge $((before + 450 * 1024)) ] ||
	fail "df size went from $before KiB only to $after KiB"
daemon_stop
