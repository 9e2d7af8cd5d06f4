# fs: xfs ext4
# timeout: 1800
# Adopting one existing home of 100,000 files in 100 directories, as
# homequotad does on its first start over an older volume.
. /vm/lib.sh

vol_make a 2048
B=$VOL_MNT
mkdir "$B/big"
vmtool mkfiles "$B/big" 100000 1000
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 1
metrics_port: 0
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml
log_wait 900 "home 'big' in '$B': adopted"
note "$(grep -o 'adopted [0-9]* files.*' "$DAEMON_LOG")"
note "daemon memory after adoption: $(grep -E 'VmHWM' /proc/$DAEMON_PID/status | tr -s ' \t' ' ')"
daemon_stop
