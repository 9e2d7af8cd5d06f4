# The demo `make demo` runs inside the VM: an XFS volume with two homes,
# homequotad giving them quotas, one home limited to 16 MiB and written
# past its limit by an ordinary user.
. /vm/lib.sh
FS=xfs

step() {
	echo
	echo "==> $*"
}

step "make a 512 MiB XFS volume with project quotas, mounted on /mnt/export"
vol_make export
B=$VOL_MNT
mount | grep " $B "
mkdir "$B/alice" "$B/bob"
echo "homes: alice bob"

step "start homequotad: 1 GiB for everyone, 16 MiB for alice"
cat >/tmp/demo.yaml <<EOC
paths: [$B]
hard_quota: 1
quota_overrides:
  alice: 0.015625
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
cat /tmp/demo.yaml
daemon_start /tmp/demo.yaml
sed 's/^/  /' "$DAEMON_LOG"

step "a new home appears while homequotad runs"
vmtool mkhome "$B/carol" 5000
tail -n 2 "$DAEMON_LOG" | sed 's/^/  /'

step "alice (uid 1000) writes 32 MiB into her 16 MiB home"
chown 1000:1000 "$B/alice"
res=$(vmtool fill --uid 1000 "$B/alice/notebook-data" 33554432)
echo "  $res"
echo "  (XFS reports an exceeded project quota as ENOSPC, 'No space left on device')"

step "bob writes 32 MiB into his 1 GiB home"
chown 1000:1000 "$B/bob"
echo "  $(vmtool fill --uid 1000 "$B/bob/results" 33554432)"

step "homequota report $B"
homequota report "$B"

step "/tmp/projid, written for xfs_quota users"
cat /tmp/projid
daemon_stop
