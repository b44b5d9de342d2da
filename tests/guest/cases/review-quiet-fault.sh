#!/bin/sh
# topology: plain hmat
# timeout: 180
# Issue 9, the exec-signature skip of quiet sweeps: while the CXL counters are still, a
# rolling turn re-reads a member only when its status shows new code or file pages since
# its last read. Two idle members (a textmap with 4 of its 64 text pages faulted in, and a
# sleep) are not re-read at all once swept ("rolling sweep: 0 of 2" for every turn of
# both). Then the textmap faults in 10 more pages whose page cache is already on the slow
# node (put there before the daemon started: no allocation, the counters do not move):
# its RssShmem grows, so its next turn re-reads it and those pages reach node 0, within
# --full-every sweeps. No timing is asserted (TCG): only the log, status and placement.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

cg=/sys/fs/cgroup/qfault.slice
trap 'undrag $cg' EXIT
pages=64
make_text /tmp/qf.text $pages "$SLOW"
mkdir -p "$cg/job"
wl_start qf sh -c "echo \$\$ >$cg/job/cgroup.procs && exec /bin/textmap --file /tmp/qf.text --fault 0-3"
sh -c "echo \$\$ >$cg/job/cgroup.procs; exec sleep 100000" &
until [ "$(wc -l <"$cg/job/cgroup.procs")" -ge 2 ]; do sleep 0.1; done
wl_cmd qf report
echo "before the daemon: $WL_REPLY"
mkdir -p /tmp/pol-review-quiet-fault.d
cat >/tmp/pol-review-quiet-fault.d/qf.json <<JSON
{"version": 1, "policies": [{"name": "qf", "match": {"cgroup": "qfault.slice/**"},
  "mems": ["dram", "cxl"], "exec": {"migrate": true, "interval": "1s"}}]}
JSON
daemon_start /tmp/pol-review-quiet-fault.d --full-every 4

counter() {
	jnum "$(cxlpolicyctl --json status | grep -o '"policies":\[{.*')" "$1"
}
# the first full sweep moves the faulted pages (and the next, full again after a move,
# finds nothing); then at least --full-every quiet sweeps: every member had its turn
quiet_enough() { [ "$(counter quiet_sweeps)" -ge 5 ]; }
wait_until 90 "five quiet sweeps" quiet_enough || fail "no five quiet sweeps: $(cxlpolicyctl status)"
wl_cmd qf report
echo "after the first sweeps: $WL_REPLY"
[ "$(field "$WL_REPLY" "file_node$SLOW")" = 0 ] || fail "the faulted pages are not on node 0 after the full sweeps: $WL_REPLY"
rolling=$(grep 'rolling sweep: ' /tmp/cxlpolicyd.log)
echo "$rolling" | tail -n 5
[ "$(echo "$rolling" | grep -c .)" -ge 4 ] || fail "fewer than 4 rolling sweeps logged: $rolling"
echo "$rolling" | grep -v 'rolling sweep: 0 of 2 processes' &&
	fail "a quiet sweep re-read a member whose status had not changed"
lines_before=$(wc -l </tmp/cxlpolicyd.log)

# new file pages in an existing mapping, their page cache already on the slow node
wl_cmd qf "fault 40-49"
wl_cmd qf report
echo "after faulting 40-49: $WL_REPLY"
[ "$(field "$WL_REPLY" "file_node$SLOW")" -ge 10 ] ||
	fail "setup: the newly faulted pages are not on node $SLOW: $WL_REPLY"
moved() {
	wl_cmd qf report
	[ "$(field "$WL_REPLY" "file_node$SLOW")" = 0 ]
}
wait_until 30 "the newly faulted pages on node 0" moved || {
	tail -n +"$((lines_before + 1))" /tmp/cxlpolicyd.log
	fail "the newly faulted pages are still on node $SLOW: $WL_REPLY"
}
sweep=$(tail -n +"$((lines_before + 1))" /tmp/cxlpolicyd.log |
	sed -n '/moved [0-9]* executable pages/q; /sweep: /p' | tail -n 1)
echo "CXLTEST-SHOW quiet-fault: idle members skipped in every rolling turn; the sweep that found the new pages: $sweep"
echo "$sweep" | grep -q 'rolling sweep: 1 of 2 processes (0 new)' ||
	fail "the pages were not found by a rolling turn that re-read only the changed member: '$sweep'"
# Found at the member's next turn (within --full-every 4 sweeps), not by the every-fifth-turn
# re-read, which after the 1-2 skipped turns so far would take at least 5 more sweeps.
turns=$(tail -n +"$((lines_before + 1))" /tmp/cxlpolicyd.log |
	sed -n '/moved [0-9]* executable pages/q; /sweep: /p' | grep -c .)
echo "sweeps from the fault to the move: $turns"
[ "$turns" -le 4 ] || fail "the changed member was re-read only after $turns sweeps (its turn comes every 4)"
wl_quit qf
daemon_stop
