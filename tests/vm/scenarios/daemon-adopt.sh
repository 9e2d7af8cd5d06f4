# fs: xfs ext4
# timeout: 900
# Homes that exist before homequotad starts are adopted: the whole tree
# gets the home's ID, whatever the names, however deep, without following
# symlinks or entering other filesystems; entries that are not homes are
# ignored.
. /vm/lib.sh

vol_make v 1024
B=$VOL_MNT
nl='
'
mkdir "$B/plain" "$B/with space" "$B/a:colon" "$B/new${nl}line" \
	"$B/$(printf 'bad\377\376utf8')" "$B/.hidden"
long=$(printf '%0255d' 0 | tr 0 x)
mkdir "$B/$long"
touch "$B/not-a-home"
ln -s plain "$B/link-home"

# A tree with files, subdirectories, a symlink out of the home and a FIFO;
# and a file hard-linked into two homes.
mkdir -p "$B/plain/a/b/c"
echo hello >"$B/plain/a/b/c/file"
dd if=/dev/zero of="$B/plain/a/blob" bs=1M count=3 2>/dev/null
ln -s /mnt "$B/plain/escape"
mkfifo "$B/plain/a/fifo"
mkdir "$B/hl-a" "$B/hl-b"
echo shared >"$B/hl-a/file"
ln "$B/hl-a/file" "$B/hl-b/file"

# A second filesystem mounted inside a home is not entered.
vol_make inner 512
mkdir "$B/plain/mnt"
mount --bind /mnt/inner "$B/plain/mnt"
touch /mnt/inner/outside
VOL_MNT=$B

# 20,000 levels of directories.
mkdir "$B/deep"
vmtool mkdeep "$B/deep" 20000

cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 1
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml
log_wait 600 "home 'deep' in '$B': adopted"
log_wait 60 "home 'plain' in '$B': adopted"

for h in plain "with space" a:colon "new${nl}line" "$(printf 'bad\377\376utf8')" "$long"; do
	id=$(project_of "$B/$h")
	[ "$id" -ge 1000 ] || fail "home '$h' has project $id"
	res=$(vmtool treecheck "$B/$h" "$id")
	say "$h: id $id: $res"
	case $res in
	*" wrong=0") ;;
	*) fail "home '$h': $res" ;;
	esac
done
expect_eq 6 "$(for h in plain "with space" a:colon "new${nl}line" "$(printf 'bad\377\376utf8')" "$long"; do project_of "$B/$h"; done | sort -u | wc -l)" "distinct IDs"
# The hard-linked inode carries the ID of one of its two homes.
hl=$(project_of "$B/hl-a/file")
[ "$hl" = "$(project_of "$B/hl-a")" ] || [ "$hl" = "$(project_of "$B/hl-b")" ] ||
	fail "hard-linked file has project $hl"
expect_eq 0 "$(project_of "$B/.hidden")" "project of a hidden directory"
expect_eq 0 "$(project_of /mnt/inner/outside)" "project of a file on the inner filesystem"
grep -q "ignoring 'not-a-home'" "$DAEMON_LOG" || fail "no line about not-a-home"
grep -q "ignoring 'link-home'" "$DAEMON_LOG" || fail "no line about link-home"

# The deep home: every directory and the leaf carry the ID, so its
# project counts 20,002 inodes (the home, 20,000 directories, the leaf).
id=$(project_of "$B/deep")
expect_eq 20002 "$(quota_field "$id" 5)" "inodes charged to the deep home"

# The plain home's usage includes the 3 MiB blob.
id=$(project_of "$B/plain")
used=$(quota_field "$id" 2)
[ "$used" -ge 3145728 ] || fail "plain home uses only $used bytes"

# Names the projid format cannot hold are escaped, one line each.
say "$(cat /tmp/projid)"
grep -q '^a\\x3acolon:' /tmp/projid || fail "colon not escaped"
grep -q '^new\\x0aline:' /tmp/projid || fail "newline not escaped"
grep -q '^bad\\xff\\xfeutf8:' /tmp/projid || fail "invalid UTF-8 not escaped"
expect_eq 9 "$(grep -vc '^#' /tmp/projid)" "homes in the projid file"
umount "$B/plain/mnt"
daemon_stop
