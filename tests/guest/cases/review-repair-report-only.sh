#!/bin/sh
# topology: plain cxl hmat
# timeout: 180
# Hostile review of issue 8: the repair sweep that follows a cpuset.mems write sweeps every
# process on the host with migration on and no limits, ignoring the policy that governs
# each process. A process whose policy says "report_only": true (or "migrate": false) has
# its text moved anyway, as soon as any cpuset.mems write happens — here, the apply of its
# own report-only policy, whose mems (dram + cxl) drag nothing at all. Expected: a process
# governed by a policy that moves nothing keeps its pages where they are, and status keeps
# reporting them as code on CXL.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

place_copy /tmp/w2 "$SLOW"
cg=/sys/fs/cgroup/keep.slice
mkdir -p "$cg/job"
wl_start kept /tmp/w2 --heap-kb 64
echo "$WL_PID" >"$cg/job/cgroup.procs" || fail "cannot move $WL_PID into $cg/job"
wl_cmd kept report
text=$(field "$WL_REPLY" text_pages)
resident=$((text - $(field "$WL_REPLY" text_absent)))
[ "$(field "$WL_REPLY" "text_node$SLOW")" = "$resident" ] || fail "premise: text not on node $SLOW at start: $WL_REPLY"

daemon_start /tmp/pol-review-repair-report-only.d
cat >/tmp/keep.json <<JSON
{"version": 1, "policies": [{"name": "keep", "match": {"cgroup": "keep.slice/**"},
  "mems": ["dram", "cxl"], "exec": {"report_only": true, "interval": "1s"}}]}
JSON
out=$(cxlpolicyctl apply /tmp/keep.json) || fail "apply exited $?: $out"
echo "$out"
sleep 3
grep 'repair sweep\|moved' /tmp/cxlpolicyd.log
wl_cmd kept report
echo "kept after apply: $WL_REPLY"
st=$(cxlpolicyctl status)
echo "$st"
[ "$(field "$WL_REPLY" "text_node$SLOW")" = "$resident" ] ||
	fail "a report-only policy's process had $(field "$WL_REPLY" text_node0) of $resident text pages moved to node 0 (by the repair sweep): $WL_REPLY"
wl_quit kept
daemon_stop
