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
# scheduler or a container runtime does). The kernel migrates the joining task's memory,
# shared text included; whether it does depends on the cpuset's state after earlier cases
# (seen not to, once, after cpuset-write's v1 round trip), so the drag it causes is made
# here first, deterministically, with move_pages(MOVE_ALL) of the shared text onto the slow
# node: what the daemon must repair is then there whatever the attach does.
wl_start inside /tmp/w --heap-kb 256
INSIDE_PID=$WL_PID
must benchmove move "$OUT_PID" /tmp/w "$SLOW" 64
wl_cmd outside report
echo "outside after the drag: $WL_REPLY"
resident=$((text - $(field "$WL_REPLY" text_absent)))
[ "$(field "$WL_REPLY" "text_node$SLOW")" -ge 1 ] || fail "premise: the shared text is not on node $SLOW: $WL_REPLY"
echo "$INSIDE_PID" >"$cg/job/cgroup.procs" || fail "cannot move $INSIDE_PID into $cg/job"

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
