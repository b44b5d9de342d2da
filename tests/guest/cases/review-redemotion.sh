#!/bin/sh
# topology: plain hmat
# timeout: 150
# Hostile review of issue 8, re-demotion counting: the daemon moves a governed process's
# text (page cache on the slow node) to node 0; then the process is attached to an
# ungoverned slow-only cpuset and back (the attach drags every page it maps onto the slow
# node), and the daemon moves the text again. Every page it moved the first time is on
# the slow node again, so the policy's `redemotions` must equal the first sweep's
# `moved_pages` (no more: pages it never moved are not re-demotions; no less).
# shellcheck source=../caselib.sh
. /etc/caselib.sh

place_copy /tmp/w2 "$SLOW"
cg=/sys/fs/cgroup/rd.slice
mkdir -p "$cg/job"
wl_start rd /tmp/w2 --heap-kb 64
pid=$WL_PID
echo "$pid" >"$cg/job/cgroup.procs" || fail "cannot move $pid into $cg/job"
daemon_start /tmp/pol-review-redemotion.d
cat >/tmp/rd.json <<JSON
{"version": 1, "policies": [{"name": "rd", "match": {"cgroup": "rd.slice/**"},
  "mems": ["dram", "cxl"], "exec": {"migrate": true, "interval": "1s"}}]}
JSON
out=$(cxlpolicyctl apply /tmp/rd.json) || fail "apply exited $?: $out"
wl_cmd rd report
resident=$(($(field "$WL_REPLY" text_pages) - $(field "$WL_REPLY" text_absent)))
on0() {
	wl_cmd rd report
	[ "$(field "$WL_REPLY" text_node0)" = "$resident" ]
}
wait_until 10 "text on node 0" on0 || fail "text not moved: $WL_REPLY"
sleep 1.5
js=$(cxlpolicyctl --json status)
pol=$(echo "$js" | grep -o '"policies":\[{"name":"rd".*' | head -n 1)
moved1=$(jnum "$pol" moved_pages)
red1=$(jnum "$pol" redemotions)
echo "after the first move: moved_pages=$moved1 redemotions=$red1"
[ "${red1:-x}" = 0 ] || fail "re-demotions $red1 before anything came back"

# the pages come back to the slow node (reclaim demoting them, another mover): move_pages
# with MOVE_ALL, deterministic, where a cpuset attach migrates only in some kernel states
drag=$(benchmove move "$pid" /tmp/w2 "$SLOW" 64) || fail "benchmove move exited $?: $drag"
echo "drag: $drag"
# the daemon may move them back before a report could see them (it did under TCG): the
# drag is proven by what move_pages verified on the slow node
[ "$(echo "$drag" | sed -n 's/.* moved=\([0-9]*\) .*/\1/p')" -ge "$moved1" ] ||
	fail "premise: the drag did not put the text back on node $SLOW: $drag"
wait_until 15 "text on node 0 again" on0 || fail "text not moved again: $WL_REPLY"
sleep 1.5
js=$(cxlpolicyctl --json status)
pol=$(echo "$js" | grep -o '"policies":\[{"name":"rd".*' | head -n 1)
moved2=$(jnum "$pol" moved_pages)
red2=$(jnum "$pol" redemotions)
echo "CXLTEST-SHOW redemotion: first sweep moved $moved1, after the drag moved $((moved2 - moved1)) more, redemotions $red2"
cxlpolicyctl status | sed -n '/^rd.slice\/job/,+4p'
[ "$red2" = "$moved1" ] || fail "redemotions $red2, expected $moved1 (every page moved the first time came back to node $SLOW)"
wl_quit rd
daemon_stop
