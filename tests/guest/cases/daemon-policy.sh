#!/bin/sh
# topology: plain cxl hmat
# timeout: 240
# cxlpolicyd end to end (issue 8): a policy applied with `cxlpolicyctl apply` is in force,
# cpuset.mems of the governed cgroup is written and effective, a running process whose text
# sits on the slow node gets it moved to node 0 within an interval while its heap stays,
# `status` says which policy governs the cgroup and why, and what was moved; a bad policy
# applied while this one runs changes nothing; a non-root client may read status but not
# apply; SIGTERM stops it cleanly.
# shellcheck source=../caselib.sh
. /etc/caselib.sh
show() { echo "CXLTEST-SHOW $*"; }

place_copy /tmp/w "$SLOW"
cg=/sys/fs/cgroup/cxld.slice
mkdir -p "$cg/app"
wl_start d1 cxlpolicyctl run --membind "$SLOW" -- /tmp/w --heap-kb 256
echo "$WL_PID" >"$cg/app/cgroup.procs" || fail "cannot move $WL_PID into $cg/app"
wl_cmd d1 report
rep=$WL_REPLY
text=$(field "$rep" text_pages)
heap=$(field "$rep" heap_pages)
[ "$(field "$rep" "text_node$SLOW")" = "$text" ] || fail "text not on node $SLOW at start: $rep"

daemon_start /tmp/pol-daemon-policy.d
cat >/tmp/web.json <<JSON
{"version": 1, "policies": [{"name": "web", "match": {"cgroup": "cxld.slice/**"},
  "mems": ["all"], "exec": {"interval": "1s"}}]}
JSON
out=$(cxlpolicyctl apply /tmp/web.json) || fail "apply exited $?: $out"
show "\$ cxlpolicyctl apply web.json"
echo "$out" | while IFS= read -r l; do show "  $l"; done
[ -f /tmp/pol-daemon-policy.d/web.json ] || fail "apply did not install the file"

mems=$(cat "$cg/cpuset.mems")
eff=$(cat "$cg/cpuset.mems.effective")
all=$(cat /sys/devices/system/node/online)
[ "$mems" = "$all" ] || fail "cpuset.mems of cxld.slice is '$mems', expected '$all'"
[ "$eff" = "$all" ] || fail "cpuset.mems.effective is '$eff', expected '$all'"
grep -q cpuset /sys/fs/cgroup/cgroup.subtree_control || fail "cpuset not enabled in the root's subtree_control"

text_on_dram() {
	wl_cmd d1 report
	[ "$(field "$WL_REPLY" text_node0)" = "$((text - $(field "$WL_REPLY" text_absent)))" ]
}
wait_until 15 "text on node 0" text_on_dram || fail "text not moved within 15 s: $WL_REPLY"
wl_cmd d1 report
[ "$(field "$WL_REPLY" "heap_node$SLOW")" = "$heap" ] || fail "the heap moved: $WL_REPLY"

st=$(cxlpolicyctl status) || fail "status exited $?"
show "\$ cxlpolicyctl status"
echo "$st" | while IFS= read -r l; do show "  $l"; done
js=$(cxlpolicyctl --json status) || fail "status --json exited $?"
echo "$js" | grep -q '"cgroup":"cxld.slice\\/app","policy":"web"' ||
	echo "$js" | grep -q '"cgroup":"cxld.slice/app","policy":"web"' || fail "cxld.slice/app not governed by web: $js"
echo "$js" | grep -q 'matches by cgroup glob' || fail "status gives no why: $js"
moved=$(jnum "$(echo "$js" | grep -o '"cgroup":"cxld.slice[^}]*app".*')" moved_pages)
[ "${moved:-0}" -ge 1 ] || fail "status shows no moved pages for cxld.slice/app: $js"

# a bad policy applied while this one runs changes nothing
cat >/tmp/bad.json <<JSON
{"version": 1, "policies": [{"name": "bad", "match": {"cgroup": "cxld.slice/**"}, "mems": ["cx1"]}]}
JSON
before=$(cat "$cg/cpuset.mems")
out=$(cxlpolicyctl apply /tmp/bad.json 2>&1) && fail "bad apply succeeded: $out"
echo "$out" | grep -q 'bad.json: policies\[0\].mems\[0\]: unknown node class "cx1"' || fail "bad apply message: $out"
[ ! -f /tmp/pol-daemon-policy.d/bad.json ] || fail "the bad file was installed"
[ "$(cat "$cg/cpuset.mems")" = "$before" ] || fail "cpuset.mems changed after a bad apply"
cxlpolicyctl --json status | grep -q '"name":"web"' || fail "web is no longer in force"

# non-root: status yes, apply no
grep -q '^nobody:' /etc/passwd 2>/dev/null || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
chmod 0644 /tmp/web.json
su -s /bin/sh nobody -c 'cxlpolicyctl status >/dev/null' || fail "nobody may not read status"
out=$(su -s /bin/sh nobody -c 'cxlpolicyctl apply /tmp/web.json' 2>&1) && fail "nobody could apply: $out"
echo "$out" | grep -q "uid 65534" || fail "refusal does not name the uid: $out"

wl_quit d1
daemon_stop
