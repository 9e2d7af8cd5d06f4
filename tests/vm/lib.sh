# Helpers for VM scenarios: source with `. /vm/lib.sh`.  Scenarios run
# under `sh -e` with $FS set to the filesystem under test (xfs or ext4).

VOLDIR=/tmp/vol

say() {
	echo "# $*"
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
	dev=$(losetup -f --show "$img")
	case $FS:$mode in
	xfs:*)
		mkfs.xfs -q -f "$dev"
		opts=
		[ "$mode" = quota ] && opts=prjquota
		;;
	ext4:nofeature)
		mke2fs -q -F -t ext4 "$dev"
		opts=
		;;
	ext4:*)
		mke2fs -q -F -t ext4 -O quota,project "$dev"
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
