# fs: xfs ext4
# timeout: 600
# The metrics endpoint: exact kernel figures under the legacy and new names,
# odd home names escaped, a scrape promtool accepts, /healthz, 404 and 405,
# bad requests and slow clients survived, 200 concurrent scrapes served
# while a new home still gets its quota at once, a removed home's series
# gone, and a new port after SIGHUP.
. /vm/lib.sh

vol_make v
B=$VOL_MNT
nl='
'
BAD=$(printf 'bad\377')
mkdir "$B/alice" "$B/with space" "$B/quo\"te" "$B/back\\slash" \
	"$B/new${nl}line" "$B/$BAD" "$B/admin"
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 0.0625
soft_quota: 0.03125
hard_inodes: 1000
wait_time: 300
exclude: [admin]
metrics_address: 127.0.0.1
metrics_port: 7500
metrics_labels:
  cluster: 'vm"test'
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml
log_wait 5 "serving metrics on '127.0.0.1' port 7500"

# busybox 1.35's wget crashes with -T, so timeout(1) bounds each fetch.
URL=http://127.0.0.1:7500
C=',cluster="vm\"test"}'

# scrape FILE [PORT]: fetch /metrics into FILE once the cached body (at
# most a second old) reflects what happened before the call.
scrape() {
	usleep 1100000
	timeout 10 wget -q -O "$1" "http://127.0.0.1:${2:-7500}/metrics" ||
		fail "scrape of /metrics failed"
}

# value FILE SERIES: the value of the sample whose series is SERIES.
value() {
	S=$2 awk 'index($0, ENVIRON["S"] " ") == 1 {
		print substr($0, length(ENVIRON["S"]) + 2) }' "$1"
}

# raw REQUEST: send REQUEST, with printf's escapes, and print the answer.
raw() {
	# shellcheck disable=SC2059
	printf "$1" | nc -w 5 127.0.0.1 7500 || true
}

chown 1000:1000 "$B/alice" "$B/quo\"te"
res=$(vmtool fill --uid 1000 "$B/alice/f" 3000000)
expect_eq "written=3000000 error=none" "$res" "alice's file"
vmtool fill --uid 1000 "$B/quo\"te/f" 12345 >/dev/null
sync
scrape /tmp/m1
run "promtool" promtool check metrics </tmp/m1
say "promtool accepts the scrape ($(wc -l </tmp/m1) lines)"

# Every home, with its label as the exposition format escapes it.
for pair in "alice|alice" "with space|with space" "quo\"te|quo\\\"te" \
	"back\\slash|back\\\\slash" "new${nl}line|new\\nline" \
	"$BAD|bad$(printf '\357\277\275')"; do
	name=${pair%%|*}
	label=${pair#*|}
	id=$(project_of "$B/$name")
	got=$(value /tmp/m1 "dirsize_total_size_bytes{directory=\"$label\"$C")
	expect_eq "$(quota_field "$id" 2)" "$got" "bytes used by '$label'"
	got=$(value /tmp/m1 "dirsize_hard_limit_bytes{directory=\"$label\"$C")
	expect_eq "$(quota_field "$id" 4)" "$got" "hard limit of '$label'"
	got=$(value /tmp/m1 "homequota_home_project_id{directory=\"$label\",path=\"$B\"$C")
	expect_eq "$id" "$got" "project id of '$label'"
	got=$(value /tmp/m1 "homequota_home_used_inodes{directory=\"$label\",path=\"$B\"$C")
	expect_eq "$(quota_field "$id" 5)" "$got" "inodes used by '$label'"
done
a=$(project_of "$B/alice")
[ "$(quota_field "$a" 2)" -ge 3000000 ] || fail "alice's usage not counted"
expect_eq 33554432 "$(value /tmp/m1 "homequota_home_soft_limit_bytes{directory=\"alice\",path=\"$B\"$C")" \
	"alice's soft limit"
expect_eq 1000 "$(value /tmp/m1 "homequota_home_hard_limit_inodes{directory=\"alice\",path=\"$B\"$C")" \
	"alice's inode limit"

# The excluded home has usage but no limit series.
adm=$(project_of "$B/admin")
expect_eq "$(quota_field "$adm" 2)" \
	"$(value /tmp/m1 "dirsize_total_size_bytes{directory=\"admin\"$C")" \
	"bytes used by admin"
grep -q '^dirsize_hard_limit_bytes{directory="admin"' /tmp/m1 &&
	fail "the excluded home has a hard limit series"

expect_eq 7 "$(value /tmp/m1 "homequota_homes{path=\"$B\"$C")" "homes"
expect_eq $((6 * 67108864)) \
	"$(value /tmp/m1 "homequota_hard_limit_sum_bytes{path=\"$B\"$C")" \
	"sum of hard limits"
fs=$(stat -f -c '%b %S' "$B")
expect_eq $((${fs% *} * ${fs#* })) \
	"$(value /tmp/m1 "homequota_filesystem_size_bytes{path=\"$B\"$C")" \
	"filesystem size"
expect_eq 1 "$(value /tmp/m1 "homequota_build_info{version=\"$(homequotad -V | cut -d' ' -f2)\"$C")" \
	"build info"
[ "$(value /tmp/m1 "homequota_full_passes_total{cluster=\"vm\\\"test\"}")" -ge 1 ] ||
	fail "no full pass counted"

# Health, unknown paths, other methods, the content type.
expect_eq ok "$(timeout 10 wget -q -O - "$URL/healthz")" "/healthz"
out=$(raw 'GET /nope HTTP/1.0\r\n\r\n')
case $out in "HTTP/1.1 404 "*) ;; *) fail "/nope: $out" ;; esac
out=$(raw 'POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc')
case $out in "HTTP/1.1 405 "*) ;; *) fail "POST /metrics: $out" ;; esac
printf '%s\n' "$out" | grep -q '^Allow: GET, HEAD' || fail "no Allow header: $out"
raw 'GET /metrics?x=1 HTTP/1.0\r\n\r\n' | tr -d '\r' |
	grep -q '^Content-Type: text/plain; version=0.0.4; charset=utf-8$' ||
	fail "wrong content type"
say "ok: /healthz, 404, 405 with Allow, content type"

# Malformed requests, a huge header and a client that sends nothing.
raw 'BLAH\r\n\r\n' >/dev/null
raw '\001\002\003 / HTTP/9.9\r\n\r\n' >/dev/null
raw 'GET /metrics HTTP/1.0\r\nHost\r\n\r\n' >/dev/null
{
	printf 'GET /metrics HTTP/1.0\r\nX-Big: '
	head -c 200000 /dev/zero | tr '\000' a
	printf '\r\n\r\n'
} | nc -w 5 127.0.0.1 7500 >/tmp/big.out 2>&1 || true
say "huge header answered: $(head -1 /tmp/big.out)"
grep -q ' 200 ' /tmp/big.out && fail "a 200 KB header was accepted"
start_bg sh -c 'sleep 60 | nc 127.0.0.1 7500 >/dev/null'
usleep 200000
kill -0 "$DAEMON_PID" || fail "homequotad died on bad requests"
expect_eq ok "$(timeout 5 wget -q -O - "$URL/healthz")" "/healthz after bad requests"

# 200 concurrent scrapes, and a new home in the middle of them.
mkdir -p /tmp/c
renders0=$(value /tmp/m1 "homequota_metrics_renders_total{cluster=\"vm\\\"test\"}")
pids=
i=0
while [ "$i" -lt 200 ]; do
	timeout 30 wget -q -O "/tmp/c/$i" "$URL/metrics" &
	pids="$pids $!"
	i=$((i + 1))
done
res=$(vmtool mkhome "$B/late" 5000) || fail "late: $res"
failed=0
for p in $pids; do
	wait "$p" || failed=$((failed + 1))
done
expect_eq 0 "$failed" "failed scrapes out of 200 concurrent"
full=$(grep -l '^homequota_build_info' /tmp/c/* | wc -l)
expect_eq 200 "$full" "complete bodies out of 200"
us=${res#ready_us=}
us=${us%% *}
note "new home during 200 concurrent scrapes: quota in place after ${us} us"
[ "$us" -lt 1000000 ] || fail "the new home waited ${us} us for its quota"
scrape /tmp/m2
renders=$(value /tmp/m2 "homequota_metrics_renders_total{cluster=\"vm\\\"test\"}")
note "201 scrapes cost $((renders - renders0)) renders"
[ $((renders - renders0)) -le 30 ] || fail "scrapes are not sharing renders"
l=$(project_of "$B/late")
expect_eq "$l" "$(value /tmp/m2 "homequota_home_project_id{directory=\"late\",path=\"$B\"$C")" \
	"the new home's series"

# A removed home's series go with it.
rmdir "$B/with space"
log_wait 5 "home 'with space' in '$B' is gone"
scrape /tmp/m3
grep -q 'directory="with space"' /tmp/m3 && fail "series of a removed home remain"
expect_eq 7 "$(value /tmp/m3 "homequota_homes{path=\"$B\"$C")" "homes after one left"
run "promtool" promtool check metrics </tmp/m3

# SIGHUP with a new port moves the listener.
sed -i 's/^metrics_port: 7500$/metrics_port: 7501/' /tmp/hq.yaml
kill -HUP "$DAEMON_PID"
log_wait 10 "serving metrics on '127.0.0.1' port 7501"
scrape /tmp/m4 7501
timeout 5 wget -q -O /dev/null "$URL/metrics" 2>/dev/null &&
	fail "port 7500 still answers after the reload"
say "ok: the listener moved to port 7501"
daemon_stop

# A port that is taken stops the start with one line naming it.
start_bg nc -l -p 7502
usleep 200000
sed -i 's/^metrics_port: 7501$/metrics_port: 7502/' /tmp/hq.yaml
if out=$(timeout 10 homequotad -c /tmp/hq.yaml 2>&1); then
	fail "started although port 7502 is taken"
fi
printf '%s\n' "$out" | grep -q "cannot listen for metrics on '127.0.0.1' port 7502: Address already in use" ||
	fail "unclear bind error: $out"
say "ok: bind failure refused: $(printf '%s\n' "$out" | tail -1)"
