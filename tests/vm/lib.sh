# Helpers for VM scenarios: source with `. /vm/lib.sh`.  Scenarios run
# under `sh -e` with $FS set to the filesystem under test (xfs or ext4).

VOLDIR=/tmp/vol

# busybox's shell runs its own applets before searching PATH, so programs
# that busybox also provides are named by their full path.
LOSETUP=/usr/sbin/losetup
MKE2FS=/usr/sbin/mke2fs

say() {
	echo "# $*"
}

# note TEXT: a measurement, shown even when the scenario passes.
note() {
	echo "NOTE: $*"
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# expect_eq WANT GOT WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
	say "ok: $3 = '$2'"
}

# expect_fail WHAT CMD...: CMD must exit non-zero; its output is in $OUT.
expect_fail() {
	what=$1
	shift
	if OUT=$("$@" 2>&1); then
		fail "$what: '$*' succeeded: $OUT"
	fi
	say "ok: $what refused: $OUT"
}

# run WHAT CMD...: CMD must succeed; its output is in $OUT.
run() {
	what=$1
	shift
	OUT=$("$@" 2>&1) || fail "$what: '$*' failed: $OUT"
}

# The errno the kernel gives a writer over its project quota.
overrun_errno() {
	case $FS in
	xfs) echo ENOSPC ;;
	ext4) echo EDQUOT ;;
	*) fail "overrun_errno: unknown FS '$FS'" ;;
	esac
}

# vol_make NAME [SIZE_MB] [MODE]: a loop-backed $FS volume mounted on
# /mnt/NAME; sets VOL_MNT and VOL_DEV (call it directly, not in $(...)).
# MODE is "quota" (project quotas counted and enforced, the default),
# "noenforce" (xfs without prjquota; ext4 with the project feature but
# mounted without prjquota) or "nofeature" (ext4 without the project
# feature; xfs as noenforce).
vol_make() {
	name=$1 size=${2:-512} mode=${3:-quota}
	img=$VOLDIR/$name.img
	mnt=/mnt/$name
	mkdir -p "$VOLDIR" "$mnt"
	truncate -s "${size}M" "$img"
	dev=$($LOSETUP -f --show "$img")
	case $FS:$mode in
	xfs:*)
		mkfs.xfs -q -f "$dev"
		opts=
		[ "$mode" = quota ] && opts=prjquota
		;;
	ext4:nofeature)
		$MKE2FS -q -F -t ext4 "$dev"
		opts=
		;;
	ext4:*)
		$MKE2FS -q -F -t ext4 -O quota,project "$dev"
		opts=
		[ "$mode" = quota ] && opts=prjquota
		;;
	*) fail "vol_make: unknown FS '$FS'" ;;
	esac
	mount -t "$FS" ${opts:+-o "$opts"} "$dev" "$mnt"
	VOL_MNT=$mnt
	VOL_DEV=$dev
}

# start_bg CMD...: start a daemon; the runner kills it after the scenario.
start_bg() {
	"$@" &
	BG_PID=$!
	echo "$BG_PID" >>/tmp/bg.pids
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		usleep 100000
		n=$((n - 1))
	done
	return 1
}

# daemon_start CONFIG [ARGS...]: start homequotad with its log in
# /tmp/work/homequotad.log (earlier runs' logs move to .old) and wait
# until its first full pass is done.
# Sets DAEMON_PID.
DAEMON_LOG=/tmp/work/homequotad.log
daemon_start() {
	mkdir -p /tmp/work
	[ -f "$DAEMON_LOG" ] && cat "$DAEMON_LOG" >>"$DAEMON_LOG.old"
	: >"$DAEMON_LOG"
	cfg=$1
	shift
	start_bg homequotad -c "$cfg" "$@" 2>>"$DAEMON_LOG"
	DAEMON_PID=$BG_PID
	wait_for 60 grep -q 'first full pass done' "$DAEMON_LOG" ||
		{ cat "$DAEMON_LOG"; fail "homequotad did not start"; }
	kill -0 "$DAEMON_PID" 2>/dev/null ||
		{ cat "$DAEMON_LOG"; fail "homequotad exited at start"; }
}

# daemon_stop: SIGTERM, and fail unless it exits 0 within 5 s.
daemon_stop() {
	kill -TERM "$DAEMON_PID"
	wait_for 5 sh -c "! kill -0 $DAEMON_PID" ||
		fail "homequotad still running 5 s after SIGTERM"
	wait "$DAEMON_PID" || fail "homequotad exited with status $?"
}

# log_wait SECONDS PATTERN: wait until the daemon log has a matching line.
log_wait() {
	wait_for "$1" grep -q -- "$2" "$DAEMON_LOG" ||
		{ cat "$DAEMON_LOG"; fail "no log line matching '$2' within $1 s"; }
}

# project_of PATH: the project ID on PATH.
project_of() {
	vmtool projid "$1" | cut -d' ' -f1
}

# quota_field ID COLUMN: one column of `homequota report --bytes` for a
# project (2 used, 3 soft, 4 hard, 5 inodes, 6 inode soft, 7 inode hard).
quota_field() {
	homequota report --bytes "$VOL_MNT" | awk -v id="$1" -v c="$2" \
		'$1 == id { print $c }'
}
