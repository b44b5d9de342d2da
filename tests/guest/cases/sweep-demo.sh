#!/bin/sh
# topology: cxl
# The product's reason to exist, end to end: a running workload whose executable's page
# cache was filled from a process bound to the CXL node (as happens when a binary is first
# read by a CXL-bound job), with its heap also on CXL and its stack on DRAM. While it runs,
# a policy for its cgroup is applied to cxlpolicyd (`cxlpolicyctl apply`), whose sweep moves
# the text to DRAM: the time per round must drop more than 100x, every heap page must still
# be on the CXL node, and `status` must count the moved pages.
# `make demo` boots this case with cxltest.demo=1: a longer run and the whole story shown.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

demo=0
grep -q 'cxltest.demo=1' /proc/cmdline && demo=1
if [ $demo = 1 ]; then
	before_ms=4000 after_ms=3000
else
	before_ms=1500 after_ms=1200
fi
show() { echo "CXLTEST-SHOW $*"; }
uptime_ms() { awk '{ printf "%.1f", $1 * 1000 }' /proc/uptime; }

show "1. memory topology (cxlpolicyctl nodes):"
nodes=$(cxlpolicyctl nodes) || fail "nodes exited $?"
echo "$nodes" | while IFS= read -r l; do show "   $l"; done
echo "$nodes" | grep -q "^$SLOW  *cxl .*dax:" || fail "node $SLOW is not cxl by dax evidence"

# The workload's binary is first read by a process bound to the CXL node.
place_copy /tmp/demo-workload "$SLOW"
cg=/sys/fs/cgroup/demo.slice
mkdir -p "$cg"
wl_start demo sh -c "echo \$\$ >$cg/cgroup.procs && exec /tmp/demo-workload --heap-kb 512 --heap-node $SLOW"
wl_cmd demo report
before=$WL_REPLY
text_pages=$(field "$before" text_pages)
heap_pages=$(field "$before" heap_pages)
[ "$(field "$before" "text_node$SLOW")" = "$text_pages" ] || fail "setup: text not on node $SLOW: $before"
[ "$(field "$before" "heap_node$SLOW")" = "$heap_pages" ] || fail "setup: heap not on node $SLOW: $before"

show "2. workload pid $WL_PID in demo.slice, text and heap on CXL node $SLOW (cxlpolicyctl scan --cgroup demo.slice):"
scan=$(cxlpolicyctl scan --cgroup demo.slice --mappings) || fail "scan exited $?"
echo "$scan" | grep -E 'demo-workload|^total' | while IFS= read -r l; do show "   $l"; done
json=$(cxlpolicyctl --json scan --cgroup demo.slice) || fail "scan --json exited $?"
[ "$(jtotal "$json" cxl_pages)" -ge "$text_pages" ] || fail "scan sees $(jtotal "$json" cxl_pages) CXL pages, expected >= $text_pages"

# The controller runs with no policy yet; the policy for demo.slice is applied mid-run.
daemon_start /tmp/demo-pol.d
cat >/tmp/demo-policy.json <<JSON
{"version": 1, "policies": [{"name": "demo", "match": {"cgroup": "demo.slice/**"},
  "mems": ["all"], "exec": {"interval": "2s"}}]}
JSON
# Run the hot loop for before+after ms; apply the policy in the middle, while it runs: the
# daemon writes cpuset.mems (all nodes: nothing narrows, the heap stays) and sweeps at once.
echo "run $((before_ms + after_ms + 2000))" >/tmp/demo.in
sleep "$(awk -v m="$before_ms" 'BEGIN { print m / 1000 }')"
sweep_start=$(uptime_ms)
applied=$(cxlpolicyctl apply /tmp/demo-policy.json) || fail "apply exited $?: $applied"
sweep_end=$(uptime_ms)
st=$(cxlpolicyctl --json status --cgroup demo.slice) || fail "status exited $?"
moved=$(jnum "$st" moved_pages)
echo "DEMO-SWEEP start_ms=$sweep_start end_ms=$sweep_end moved_pages=$moved"
_i=0
until grep -q '^RUN done' /tmp/demo.out; do
	_i=$((_i + 1))
	[ $_i -le 600 ] || fail "workload never finished its run: $(tail -n 2 /tmp/demo.out)"
	sleep 0.1
done
grep '^TICK ' /tmp/demo.out | sed 's/^/DEMO-/'

# Median ns/round of the ticks that ended before the sweep, and of those that started
# after it (skipping the first: TCG translates the moved code once).
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
slow=$(grep '^TICK ' /tmp/demo.out | awk -v s="$sweep_start" '{ split($2, t, "="); split($4, n, "="); if (t[2] < s) print n[2] }' | median)
fast=$(grep '^TICK ' /tmp/demo.out | awk -v e="$sweep_end" '{ split($2, t, "="); split($4, n, "="); if (t[2] - 100 > e) print n[2] }' | tail -n +2 | median)
[ "$slow" != 0 ] && [ "$fast" != 0 ] || fail "not enough ticks before ($slow) or after ($fast) the sweep"
ratio=$(awk -v s="$slow" -v f="$fast" 'BEGIN { printf "%d", s / f }')

wl_cmd demo report
after=$WL_REPLY
show "3. speed with text on CXL node $SLOW: ${slow} ns per round"
show "4. cxlpolicyctl apply demo-policy.json (policy demo: demo.slice/**, mems all, every 2s) took $(awk -v a="$sweep_start" -v b="$sweep_end" 'BEGIN { printf "%.0f", b - a }') ms; cxlpolicyd's first sweep moved $moved pages; workload kept running"
cxlpolicyctl status --cgroup demo.slice | while IFS= read -r l; do show "   $l"; done
show "   after: text_node0=$(field "$after" text_node0)/$text_pages, heap_node$SLOW=$(field "$after" "heap_node$SLOW")/$heap_pages"
json=$(cxlpolicyctl --json scan --cgroup demo.slice) || fail "scan --json exited $?"
show "   scan --cgroup demo.slice now: $(jtotal "$json" cxl_pages) executable pages on CXL"
show "   speed with text on DRAM node 0: ${fast} ns per round"
show "5. verdict: text on CXL ran ${ratio}x slower; the daemon's sweep under the policy moved it to DRAM without restarting the workload, data stayed on CXL"

[ "$(field "$after" text_node0)" = "$text_pages" ] || fail "text not all on node 0 after the sweep: $after"
[ "$(field "$after" "heap_node$SLOW")" = "$heap_pages" ] || fail "heap moved: $before -> $after"
[ "$(jtotal "$json" cxl_pages)" = 0 ] || fail "$(jtotal "$json" cxl_pages) executable pages still on CXL"
[ "$ratio" -gt 100 ] || fail "only ${ratio}x faster after the sweep, expected > 100x"
[ "${moved:-0}" -ge "$text_pages" ] || fail "status says $moved pages moved, the workload's text is $text_pages pages"
wl_quit demo
daemon_stop
