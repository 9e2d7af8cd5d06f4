# fs: xfs ext4
# `homequota set` puts a home under a project quota that the kernel
# enforces: an unprivileged writer is stopped at the limit with the
# filesystem's own error, and another home on the same volume is not.
. /vm/lib.sh

vol_make v
mkdir "$VOL_MNT/alice" "$VOL_MNT/bob"
chown 1000:1000 "$VOL_MNT/alice" "$VOL_MNT/bob"

run "set" homequota set "$VOL_MNT/alice" --id 1001 --hard 20M
say "$OUT"
expect_eq "1001 inherit" "$(vmtool projid "$VOL_MNT/alice")" "alice's project"

# New directories below the home inherit its project.
mkdir "$VOL_MNT/alice/sub"
chown 1000:1000 "$VOL_MNT/alice/sub"
expect_eq "1001 inherit" "$(vmtool projid "$VOL_MNT/alice/sub")" "subdirectory's project"

# Write 40 MiB into a 20 MiB home.  The kernel counts blocks, so allow one
# MiB below the limit for metadata and allocation granularity.
res=$(vmtool fill --uid 1000 "$VOL_MNT/alice/big" 41943040)
say "alice: $res"
expect_eq "$(overrun_errno)" "${res#*error=}" "error past the limit"
written=${res#written=}
written=${written%% *}
[ "$written" -le 20971520 ] || fail "wrote $written bytes past a 20 MiB limit"
[ "$written" -ge 19922944 ] || fail "stopped at $written bytes, well before 20 MiB"

# Files below the home share its limit.
res=$(vmtool fill --uid 1000 "$VOL_MNT/alice/sub/more" 1048576)
expect_eq "$(overrun_errno)" "${res#*error=}" "error in a subdirectory of a full home"

# A home without a limit on the same volume is not stopped.
res=$(vmtool fill --uid 1000 "$VOL_MNT/bob/big" 41943040)
expect_eq "written=41943040 error=none" "$res" "unlimited home"
