#!/bin/sh
# Runs every scenario in a directory (/scenarios, or /bench for the
# benchmarks) inside the VM, once per filesystem it
# names, each in a clean state, and prints one @@RESULT line per run.
#
# A scenario file declares, in its first lines:
#   # fs: xfs ext4      filesystems to run it on (default: none, runs once)
#   # timeout: 300      seconds before it is killed (default 300)
# It exits 0 on success; anything else is a failure.  Its output is shown
# only when it fails, but for lines starting "NOTE: " (measurements).
only=$1
dir=${2:-/scenarios}
mkdir -p /tmp/logs

header() {
	sed -n "s/^# $1: *//p" "$2" | head -n 1
}

cleanup() {
	# Daemons a scenario started with lib.sh's start_bg, then its mounts.
	if [ -f /tmp/bg.pids ]; then
		while read -r pid; do kill -9 "$pid" 2>/dev/null; done </tmp/bg.pids
		rm -f /tmp/bg.pids
	fi
	for m in $(awk '$2 ~ /^\/mnt\// {print $2}' /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	/usr/sbin/losetup -D 2>/dev/null
	rm -rf /tmp/vol /tmp/work
}

run_one() {
	file=$1 fs=$2 name=$3 limit=$4
	log=/tmp/logs/$(echo "$name" | tr '/[] ' '____').log
	start=$(date +%s)
	FS=$fs SCENARIO=$name timeout -s KILL "$limit" sh -e "$file" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	cleanup
	if [ "$rc" -eq 0 ]; then
		echo "@@RESULT PASS $name ${secs}s"
		sed -n 's/^NOTE: /@@OUT /p' "$log"
		return
	fi
	[ "$rc" -eq 137 ] && echo "killed after ${limit}s" >>"$log"
	echo "@@RESULT FAIL $name ${secs}s (exit $rc)"
	sed 's/^/@@OUT /' "$log"
}

for file in "$dir"/*.sh; do
	base=$(basename "$file" .sh)
	if [ -n "$only" ] && ! echo "$base" | grep -Eq -- "$only"; then
		continue
	fi
	limit=$(header timeout "$file")
	fslist=$(header fs "$file")
	if [ -z "$fslist" ]; then
		run_one "$file" "" "$base" "${limit:-300}"
		continue
	fi
	for fs in $fslist; do
		run_one "$file" "$fs" "$base[$fs]" "${limit:-300}"
	done
done
