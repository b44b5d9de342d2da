#!/bin/sh
# topology: plain hmat
# timeout: 180
# Issue 9, churn: while the CXL nodes' allocation counters stay still, a member joining a
# governed cgroup is read by the next sweep without re-reading every member (a partial
# sweep: the new member plus the rolling 1/full_every), and the pidfds the daemon holds for
# members that stayed are kept, not reopened. A workload whose page cache is on the slow
# node (copied there before the daemon starts, so nothing is allocated there afterwards)
# joins a cgroup of 20 idle members; its text must reach node 0 through a partial sweep
# (--full-every 50: the rolling slice alone would take up to 50 intervals). No timing is
# asserted (TCG): only what the daemon's log, status and file descriptors show.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

cg=/sys/fs/cgroup/churnsw.slice
trap 'undrag $cg' EXIT
place_copy /tmp/wchurn "$SLOW"
mkdir -p "$cg/job"
i=0
while [ $i -lt 20 ]; do
	sh -c "echo \$\$ >$cg/job/cgroup.procs; exec sleep 100000" &
	i=$((i + 1))
done
until [ "$(wc -l <"$cg/job/cgroup.procs")" -ge 20 ]; do sleep 0.1; done
mkdir -p /tmp/pol-review-churn.d
cat >/tmp/pol-review-churn.d/churn.json <<JSON
{"version": 1, "policies": [{"name": "churn", "match": {"cgroup": "churnsw.slice/**"},
  "mems": ["dram", "cxl"], "exec": {"migrate": true, "interval": "1s"}}]}
JSON
daemon_start /tmp/pol-review-churn.d --full-every 50

# exec counter KEY of the policy from status --json (the policy object comes first)
counter() {
	jnum "$(cxlpolicyctl --json status | grep -o '"policies":\[{.*')" "$1"
}
fulls() {
	echo $(($(counter sweeps) - $(counter quiet_sweeps) - $(counter partial_sweeps)))
}
# "FD:PID" of every pidfd the daemon holds, sorted
pidfds() {
	for f in /proc/"$DAEMON_PID"/fdinfo/*; do
		p=$(sed -n 's/^Pid:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$p" ] && echo "${f##*/}:$p"
	done | sort
}
quiet_seen() { [ "$(counter quiet_sweeps)" -ge 2 ]; }
wait_until 60 "two quiet sweeps (counters still, same members)" quiet_seen ||
	fail "no quiet sweeps in 60 s: $(cxlpolicyctl status)"
[ "$(counter processes)" = 20 ] || fail "status counts $(counter processes) members, expected 20"
fds_before=$(pidfds)
[ "$(echo "$fds_before" | grep -c .)" = 20 ] || fail "the daemon holds $(echo "$fds_before" | grep -c .) pidfds for 20 members: $fds_before"
full_before=$(fulls)
moved_before=$(counter moved_pages)

# the newcomer runs from the slow node's page cache (no allocation there), then joins
wl_start newcomer /tmp/wchurn --heap-kb 64
newpid=$WL_PID
wl_cmd newcomer report
echo "before joining: $WL_REPLY"
text=$(field "$WL_REPLY" text_pages)
resident=$((text - $(field "$WL_REPLY" text_absent)))
[ "$(field "$WL_REPLY" text_node0)" -lt "$resident" ] ||
	fail "the newcomer's text is already on node 0 before it joined: $WL_REPLY"
lines_before=$(wc -l </tmp/cxlpolicyd.log)
echo "$newpid" >"$cg/job/cgroup.procs"
moved() {
	wl_cmd newcomer report
	[ "$(field "$WL_REPLY" text_node0)" = "$resident" ]
}
wait_until 60 "newcomer's text on node 0" moved || {
	cxlpolicyctl status
	fail "the newcomer's text is still on node $SLOW 60 s after it joined: $WL_REPLY"
}
log=$(tail -n +"$((lines_before + 1))" /tmp/cxlpolicyd.log)
echo "$log" | grep 'sweep:\|moved' | head -n 8
# the sweep that moved it: the last sweep line before the first "moved" line
sweep=$(echo "$log" | sed -n '/moved [0-9]* executable pages/q; /sweep: /p' | tail -n 1)
echo "CXLTEST-SHOW churn: the sweep that moved the newcomer's text: $sweep"
echo "$sweep" | grep -q '^cxlpolicyd: partial sweep: [0-9]* of 21 processes (1 new)' ||
	fail "the newcomer's text was not moved by a partial sweep of 21 members: '$sweep'"
read_n=$(echo "$sweep" | sed -n 's/.*partial sweep: \([0-9]*\) of.*/\1/p')
[ "$read_n" -lt 21 ] || fail "the partial sweep read $read_n of 21 processes"
[ "$(counter moved_pages)" -gt "$moved_before" ] || fail "moved_pages did not grow"
echo "partial sweeps $(counter partial_sweeps), full sweeps $full_before before, $(fulls) now (the one after a move is full)"

# pidfds: the 20 members that stayed keep theirs (same fd, same pid); the newcomer got one
fds_after=$(pidfds)
echo "$fds_before" | while read -r pair; do
	echo "$fds_after" | grep -qx "$pair" || echo "$pair"
done >/tmp/churn-lost
[ ! -s /tmp/churn-lost ] || fail "pidfds of unchanged members were reopened or closed: $(cat /tmp/churn-lost) (after: $fds_after)"
echo "$fds_after" | grep -q ":$newpid\$" || fail "no pidfd for the newcomer $newpid: $fds_after"

# a member leaves: partial sweep, its pidfd closed, the others' kept. First the full sweep
# a move forces (for true totals) must have run and found no code left on CXL: a member
# leaving after a full sweep that counted code on CXL makes the next sweep full.
full_after_move() { [ "$(fulls)" -gt "$full_before" ]; }
wait_until 30 "the full sweep after the move" full_after_move || fail "no full sweep after the move"
[ "$(counter exec_cxl_bytes)" = 0 ] || fail "code left on CXL after the full sweep: $(cxlpolicyctl status)"
victim=$(head -n 1 "$cg/job/cgroup.procs")
[ "$victim" != "$newpid" ] || victim=$(sed -n 2p "$cg/job/cgroup.procs")
lines_before=$(wc -l </tmp/cxlpolicyd.log)
kill -9 "$victim"
left() { tail -n +"$((lines_before + 1))" /tmp/cxlpolicyd.log | grep -q 'sweep: [0-9]* of 20 processes (0 new)'; }
wait_until 30 "a sweep without the victim" left || fail "no sweep of 20 members after one left"
sweep=$(tail -n +"$((lines_before + 1))" /tmp/cxlpolicyd.log | grep 'sweep: [0-9]* of 20 processes' | head -n 1)
echo "CXLTEST-SHOW churn: after a member left: $sweep"
echo "$sweep" | grep -q 'partial sweep' || fail "a member leaving made a full sweep: '$sweep'"
fds_left=$(pidfds)
echo "$fds_left" | grep -q ":$victim\$" && fail "the daemon still holds a pidfd for $victim, which left"
echo "$fds_after" | grep -v ":$victim\$" | while read -r pair; do
	echo "$fds_left" | grep -qx "$pair" || echo "$pair"
done >/tmp/churn-lost
[ ! -s /tmp/churn-lost ] || fail "pidfds of members that stayed were reopened after one left: $(cat /tmp/churn-lost)"
cxlpolicyctl status | grep -i "sweep"
wl_quit newcomer
daemon_stop
