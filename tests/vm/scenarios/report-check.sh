# fs: xfs ext4
# `homequota report` names each home, shows the share of its hard limit in
# use, marks homes at 90% or more and sorts and prints JSON; `homequota
# check` finds every way a home can differ from the config.
# shellcheck disable=SC2046 # rows are split into fields on purpose
. /vm/lib.sh

vol_make v
B=$VOL_MNT
cafe=$(printf 'caf\303\251')
bad=$(printf 'bad\377')
mkdir "$B/alice" "$B/bob smith" "$B/a:b" "$B/admin" "$B/$cafe" "$B/$bad"
cat >/tmp/hq.yaml <<EOC
paths: [$B]
hard_quota: 0.015625
wait_time: 300
exclude: [admin]
quota_overrides:
  "bob smith": 0.03125
projects_file: /tmp/projects
projid_file: /tmp/projid
EOC
daemon_start /tmp/hq.yaml

a=$(project_of "$B/alice")
b=$(project_of "$B/bob smith")
chown 1000:1000 "$B/alice"
# 15 MiB of a 16 MiB limit is 93%.
res=$(vmtool fill --uid 1000 "$B/alice/big" 15728640)
expect_eq "written=15728640 error=none" "$res" "alice's write under the limit"

run "report" homequota report --bytes "$B"
say "$OUT"
set -- $(echo "$OUT" | awk -v id="$a" '$1 == id')
expect_eq 16777216 "$4" "alice's hard limit"
pct=${8%\%}
[ "$pct" -ge 93 ] && [ "$pct" -le 94 ] || fail "alice uses $8 of her limit"
expect_eq "!" "$9" "alice's 90% mark"
expect_eq alice "${10}" "alice's name"
set -- $(echo "$OUT" | awk -v id="$b" '$1 == id')
expect_eq "33554432 - bob smith" "$4 $9 ${10} ${11}" "bob's row"
echo "$OUT" | grep -q '  a\\x3ab$' || fail "'a:b' not shown escaped"
echo "$OUT" | grep -q "  $cafe\$" || fail "UTF-8 name not shown as is"
echo "$OUT" | grep -q '  bad\\xff$' || fail "invalid UTF-8 name not escaped"
expect_eq 1 "$(echo "$OUT" | awk '$9 == "!"' | wc -l)" "rows marked"
echo "$OUT" | grep -q '^total: 6 projects, used [0-9]*, hard limits 100663296, 1 at or above 90%$' ||
	fail "wrong totals line"

run "human report" homequota report "$B"
set -- $(echo "$OUT" | awk -v id="$a" '$1 == id')
expect_eq "16M alice" "$4 ${10}" "alice's limit in human form"

run "report by use" homequota report --sort use "$B"
expect_eq alice "$(echo "$OUT" | awk 'NR == 2 { print $10 }')" "first by use"
run "report by name" homequota report -s name "$B"
expect_eq "a\\x3ab" "$(echo "$OUT" | awk 'NR == 2 { print $10 }')" \
	"first by name"

# busybox has no JSON parser: check the shape line by line.
run "json report" homequota report --json "$B"
say "$OUT"
json=$OUT
expect_eq "{\"path\":\"$B\",\"projects\":[" "$(echo "$json" | head -n 1)" \
	"first json line"
echo "$json" | tail -n 1 |
	grep -q '^],"totals":{"projects":6,"used_bytes":[0-9]*,"hard_bytes":100663296,"over_90":1}}$' ||
	fail "wrong json totals"
expect_eq 6 "$(echo "$json" | grep -c '^{"id":[0-9]*,"name":')" \
	"json project lines"
echo "$json" | grep "^{\"id\":$a,\"name\":\"alice\"," |
	grep -q '"hard_bytes":16777216,.*"over_90":true}' ||
	fail "alice's json line"
echo "$json" | grep -q '"name":"bad\\ufffd",' || fail "invalid UTF-8 in json"
echo "$json" | grep -q "\"name\":\"$cafe\"," || fail "UTF-8 name in json"
echo "$json" | grep -q '"name":"a:b",' || fail "'a:b' in json"
echo "$json" | grep '"name":"admin",' | grep -q '"percent_used":null,' ||
	fail "admin's json line"
expect_eq "$(echo "$json" | tr -cd '{' | wc -c)" \
	"$(echo "$json" | tr -cd '}' | wc -c)" "json braces balance"
expect_eq 1 "$(echo "$json" | grep -c '"over_90":true')" "json marks"

run "check" homequota check -c /tmp/hq.yaml
say "$OUT"
expect_eq "checked 6 homes in 1 base path: all match" "$OUT" "clean check"
daemon_stop

# A limit changed by hand, and a home made while nothing watched.
homequota set "$B/alice" --id "$a" --hard 1G >/dev/null
mkdir "$B/zed"
rc=0
OUT=$(homequota check -c /tmp/hq.yaml 2>&1) || rc=$?
say "$OUT"
expect_eq 1 "$rc" "check status with differences"
echo "$OUT" | grep -qx "'alice' in '$B': hard limit is 1G, config says 16M" ||
	fail "no line for alice's limit"
echo "$OUT" | grep -qx "'zed' in '$B': no project id" ||
	fail "no line for zed's missing id"
echo "$OUT" | grep -qx "'zed' in '$B': PROJINHERIT is not set" ||
	fail "no line for zed's missing PROJINHERIT"
expect_eq "checked 7 homes in 1 base path: 3 differences" \
	"$(echo "$OUT" | tail -n 1)" "summary"

# Two homes sharing a project.
homequota set "$B/zed" --id "$a" --hard 16M >/dev/null
rc=0
OUT=$(homequota check -c /tmp/hq.yaml 2>&1) || rc=$?
say "$OUT"
expect_eq 1 "$rc" "check status with a shared id"
echo "$OUT" | grep -qx "'zed' in '$B': project id $a is also held by 'alice' in '$B'" ||
	fail "no line for the shared id"

# A broken config is not a difference.
echo "hard_quota: [" >/tmp/bad.yaml
rc=0
OUT=$(homequota check -c /tmp/bad.yaml 2>&1) || rc=$?
expect_eq 3 "$rc" "check status with a broken config"
expect_eq 1 "$(echo "$OUT" | wc -l)" "lines for a broken config"
say "config error: $OUT"
rc=0
homequota check --bogus 2>/dev/null || rc=$?
expect_eq 2 "$rc" "check status for a usage error"
