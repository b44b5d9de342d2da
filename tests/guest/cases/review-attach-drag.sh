#!/bin/sh
# topology: plain hmat
# timeout: 120
# Hostile review of issue 8: a process ATTACHED to a CXL-only governed cgroup after the
# daemon wrote its cpuset.mems drags the shared text of its binary onto the slow node
# (cgroup v2 migrates the attaching task's memory, MOVE_ALL semantics), exactly as a
# narrowing write does. The daemon only runs its repair sweep after its own cpuset.mems
# writes, so an ungoverned process sharing that text keeps it on CXL for good. Expected:
# the daemon notices (the CXL allocation counters moved) and repairs the sharers within a
# few intervals. Not on cxl: code on a CXL-only cpuset aborts QEMU 7.2 TCG.
# shellcheck source=../caselib.sh
. /etc/caselib.sh
# put back what the CXL-only cgroup dragged onto the slow node, also when the case fails
trap 'kill "$DAEMON_PID" 2>/dev/null; undrag /sys/fs/cgroup/scratch.slice' EXIT

place_copy /tmp/w 0
cg=/sys/fs/cgroup/scratch.slice
mkdir -p "$cg/job"
wl_start outside /tmp/w --heap-kb 64
OUT_PID=$WL_PID
wl_cmd outside report
text=$(field "$WL_REPLY" text_pages)
[ "$(field "$WL_REPLY" text_node0)" = "$text" ] || fail "text not on node 0 at start: $WL_REPLY"

daemon_start /tmp/pol-review-attach-drag.d
cat >/tmp/scratch.json <<JSON
{"version": 1, "policies": [{"name": "scratch", "match": {"cgroup": "scratch.slice/**"},
  "mems": [$SLOW], "exec": {"migrate": false, "interval": "1s"}}]}
JSON
out=$(cxlpolicyctl apply /tmp/scratch.json) || fail "apply exited $?: $out"
[ "$(cat "$cg/job/cpuset.mems.effective")" = "$SLOW" ] || fail "job's mems.effective is $(cat "$cg/job/cpuset.mems.effective")"
sleep 1.5 # the apply's sweeps are over: nothing was dragged yet (the cgroup was empty)
wl_cmd outside report
[ "$(field "$WL_REPLY" text_node0)" = "$text" ] || fail "text left node 0 before the attach: $WL_REPLY"

# a job starts: the process is attached to the CXL-only cgroup (what systemd-run, a batch
# scheduler or a container runtime does)
wl_start inside /tmp/w --heap-kb 256
log_before=$(wc -l </tmp/cxlpolicyd.log)
echo "$WL_PID" >"$cg/job/cgroup.procs" || fail "cannot move $WL_PID into $cg/job"
wl_cmd outside report
echo "outside right after the attach: $WL_REPLY"
resident=$((text - $(field "$WL_REPLY" text_absent)))
# premise: the attach dragged the text (seen here, or already repaired by the daemon,
# which its log then says); without it the case would pass for nothing
if [ "$(field "$WL_REPLY" "text_node$SLOW")" -lt 1 ]; then
	sleep 0.5
	tail -n "+$((log_before + 1))" /tmp/cxlpolicyd.log | grep -q 'repair sweep.* [1-9][0-9]* executable pages moved back' ||
		fail "premise: the attach did not drag the shared text onto node $SLOW (nor did the daemon repair any): $WL_REPLY"
	echo "the daemon repaired the drag before it could be observed"
fi

back() {
	kill -0 "$OUT_PID" 2>/dev/null || { dmesg | tail -n 20; cat /tmp/outside.out; fail "the outside workload $OUT_PID died"; }
	wl_cmd outside report
	[ "$(field "$WL_REPLY" text_node0)" = "$resident" ]
}
if ! wait_until 6 "outside text back on node 0" back; then
	echo "daemon log:"
	tail -n 15 /tmp/cxlpolicyd.log
	cxlpolicyctl status
	fail "6 s (6 intervals) after a process attached to the CXL-only cgroup dragged the shared text, the ungoverned sharer still has it on node $SLOW: $WL_REPLY"
fi
wl_quit outside
wl_quit inside
daemon_stop
