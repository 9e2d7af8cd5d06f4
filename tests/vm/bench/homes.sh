# fs: xfs ext4
# timeout: 1800
# homequotad with 10,000 homes: the first full pass, the time one scrape of
# /metrics takes to build, the daemon's memory, a full pass's duration and
# how long a new home waits for its quota.  Figures only; nothing here is
# judged against a target.
. /vm/lib.sh

N=10000
vol_make b 4096
B=$VOL_MNT
vmtool mkdirs "$B" "$N" user
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 1
wait_time: 3600
metrics_port: 7500
metrics_address: 127.0.0.1
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml
note "$N homes: $(grep -o 'first full pass done in .*' "$DAEMON_LOG")"
log_wait 600 "home 'user$((N - 1))' in '$B': adopted"

scrape() {
	timeout 60 wget -q -O /tmp/scrape http://127.0.0.1:7500/metrics
}
# Each scrape a second and a half apart, so none is served from the
# one-second cache.
for i in 1 2 3 4 5; do
	usleep 1500000
	res=$(vmtool timeit timeout 60 wget -q -O /tmp/scrape http://127.0.0.1:7500/metrics)
	echo "$res" | grep -q 'status=0' || fail "scrape failed: $res"
	echo "${res#elapsed_us=}" | cut -d' ' -f1
done | sort -n >/tmp/scrapes
note "scrape of $N homes ($(wc -c </tmp/scrape) bytes): fastest $(head -n 1 /tmp/scrapes) us, median $(sed -n 3p /tmp/scrapes) us, slowest $(tail -n 1 /tmp/scrapes) us"
scrape
grep -q "^homequota_homes{path=\"$B\"} $N\$" /tmp/scrape ||
	fail "scrape does not count $N homes"

kill -HUP "$DAEMON_PID"
log_wait 120 "configuration reloaded"
scrape
note "full pass over $N adopted homes: $(awk '/^homequota_last_full_pass_duration_seconds/ { print $2 }' /tmp/scrape) s"
note "daemon memory: $(grep -E 'VmRSS|VmHWM' /proc/$DAEMON_PID/status | tr -s ' \t' ' ' | tr '\n' ' ')"

i=0
while [ "$i" -lt 50 ]; do
	res=$(vmtool mkhome "$B/new$i" 5000) || fail "new$i: $res"
	us=${res#ready_us=}
	echo "${us%% *}"
	i=$((i + 1))
done | sort -n >/tmp/lat
note "new home to ID and limit, 50 homes beside $N: median $(sed -n 25p /tmp/lat) us, 95th percentile $(sed -n 48p /tmp/lat) us, slowest $(tail -n 1 /tmp/lat) us"
daemon_stop
