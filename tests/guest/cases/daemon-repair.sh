#!/bin/sh
# topology: plain hmat
# timeout: 180
# Narrowing cpuset.mems drags shared text (issue 8): a CXL-only scratch cgroup (mems = the
# slow node, exec migration off, as the DRAM rule allows) gets a member that runs the same
# binary as a process outside it. Writing cpuset.mems migrates the member's memory, the
# shared page cache of the binary included, onto the slow node for both. The daemon's
# follow-up repair sweep must move that text back to node 0 for the outside process, and
# the member's heap stays on the slow node as its cgroup says. Not on cxl: code on a
# CXL-only cpuset under QEMU 7.2 TCG aborts the emulator (tests/guest/README.md).
# shellcheck source=../caselib.sh
. /etc/caselib.sh
# put back what the CXL-only cgroup dragged onto the slow node, also when the case fails
trap 'kill "$DAEMON_PID" 2>/dev/null; undrag /sys/fs/cgroup/scratch.slice' EXIT

place_copy /tmp/w 0
cg=/sys/fs/cgroup/scratch.slice
mkdir -p "$cg/job"
# memory.numa_stat (what the dry run reads) needs the memory controller on the path
echo +memory >/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable memory at the root"
echo +memory >"$cg/cgroup.subtree_control" || fail "cannot enable memory in $cg"
wl_start outside /tmp/w --heap-kb 64
# born in the cgroup (as systemd and the kubelet start processes): its memory is charged there
wl_start inside sh -c "echo \$\$ >$cg/job/cgroup.procs && exec /tmp/w --heap-kb 256"
wl_cmd outside report
text=$(field "$WL_REPLY" text_pages)
[ "$(field "$WL_REPLY" text_node0)" = "$text" ] || fail "text not on node 0 at start: $WL_REPLY"

daemon_start /tmp/pol-daemon-repair.d
cat >/tmp/scratch.json <<JSON
{"version": 1, "policies": [{"name": "scratch", "match": {"cgroup": "scratch.slice/**"},
  "mems": [$SLOW], "exec": {"migrate": false, "interval": "1s"}}]}
JSON
out=$(cxlpolicyctl apply --dry-run /tmp/scratch.json) || fail "apply --dry-run exited $?: $out"
echo "$out"
echo "$out" | grep -q "scratch.slice/job: policy scratch (new), cpuset.mems (inherit) -> $SLOW, narrowing migrates .* \[node 0: " ||
	fail "dry run does not show what the narrowing migrates from node 0: $out"
[ "$(cat "$cg/job/cpuset.mems.effective" 2>/dev/null || cat /sys/devices/system/node/online)" != "$SLOW" ] ||
	fail "the dry run narrowed cpuset.mems"
out=$(cxlpolicyctl apply /tmp/scratch.json) || fail "apply exited $?: $out"
echo "$out"
[ "$(cat "$cg/job/cpuset.mems.effective")" = "$SLOW" ] || fail "job's mems.effective is $(cat "$cg/job/cpuset.mems.effective")"

wl_cmd inside report
echo "inside: $WL_REPLY"
[ "$(field "$WL_REPLY" "heap_node$SLOW")" = "$(field "$WL_REPLY" heap_pages)" ] ||
	fail "the member's heap did not follow cpuset.mems to node $SLOW: $WL_REPLY"
grep 'repair sweep' /tmp/cxlpolicyd.log || fail "no repair sweep after the cpuset.mems write"
repaired=$(sed -n 's/.*repair sweep.* \([0-9][0-9]*\) executable pages moved back.*/\1/p' /tmp/cxlpolicyd.log | tail -n 1)
[ "${repaired:-0}" -ge 1 ] || fail "the repair sweep moved nothing back (the narrowing did not drag the text?)"
wl_cmd outside report
echo "outside: $WL_REPLY"
resident=$((text - $(field "$WL_REPLY" text_absent)))
[ "$(field "$WL_REPLY" text_node0)" = "$resident" ] || fail "the outside process's text is not back on node 0: $WL_REPLY"

# a process that joins the CXL-only cgroup later drags the shared text again (the kernel
# migrates a joining task's memory): the daemon sees the new member and repairs again
wl_start late /tmp/w --heap-kb 64
echo "$WL_PID" >"$cg/job/cgroup.procs" || fail "cannot move $WL_PID into $cg/job"
two_repairs() { [ "$(grep -c 'repair sweep' /tmp/cxlpolicyd.log)" -ge 2 ]; }
wait_until 20 "a second repair sweep" two_repairs || fail "no repair sweep after a process joined the CXL-only cgroup"
grep 'repair sweep' /tmp/cxlpolicyd.log | tail -n 1
back_on_dram() {
	wl_cmd outside report
	[ "$(field "$WL_REPLY" text_node0)" = "$((text - $(field "$WL_REPLY" text_absent)))" ]
}
wait_until 20 "outside text back on node 0" back_on_dram || fail "outside text not repaired after the join: $WL_REPLY"

# what is where: the member's memory by node, from memory.numa_stat
st=$(cxlpolicyctl --json status --cgroup scratch.slice/job) || fail "status --cgroup exited $?"
anon=$(echo "$st" | grep -o "\"memory_by_node\":{.*" | grep -o "\"$SLOW\":{\"anon\":[0-9]*" | grep -o '[0-9]*$')
[ "${anon:-0}" -ge $((256 * 1024)) ] || fail "status shows ${anon:-no} anon bytes of job on node $SLOW: $st"
cxlpolicyctl status --cgroup scratch.slice/job

wl_quit outside
wl_quit inside
wl_quit late
daemon_stop
