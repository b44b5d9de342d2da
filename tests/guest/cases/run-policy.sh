#!/bin/sh
# topology: plain cxl hmat
# `run --policy NAME --policy-dir DIR`: the child is in the policy's cgroup, its mempolicy is
# the policy's (bind, interleave, default: numa_maps), and its binary's text is on node 0
# although that binary's page cache was on the slow node before (warmed by run).
# weighted-interleave: on 6.1 a clear error naming the kernel feature; on 6.12 it works.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

d=/tmp/rp.d
cg=/sys/fs/cgroup/rp.slice
rm -rf "$d"
mkdir -p "$d" "$cg" "$cg/wi" /sys/fs/cgroup/rp-inter.slice /sys/fs/cgroup/rp-dflt.slice
cat >"$d/10-rp.json" <<POL
{"version": 1, "policies": [
 {"name": "bind0", "match": {"cgroup": "rp.slice"}, "mems": [0, $SLOW],
  "mempolicy": {"mode": "bind", "nodes": [0]}},
 {"name": "inter", "match": {"cgroup": ["rp-inter.slice", "other.slice/**"]}, "mems": [0, $SLOW],
  "mempolicy": {"mode": "interleave", "nodes": [0, $SLOW]}},
 {"name": "dflt", "match": {"cgroup": "rp-dflt.slice"}, "mems": [0, $SLOW],
  "mempolicy": {"mode": "default"}}]}
POL
cat >"$d/20-wi.json" <<POL
{"version": 1, "policies": [{"name": "wi", "match": {"cgroup": "rp.slice/*"}, "mems": [0, $SLOW],
  "mempolicy": {"mode": "weighted-interleave", "nodes": [0, $SLOW]}}]}
POL
must cxlpolicyctl validate "$d/10-rp.json" "$d/20-wi.json"

# bind: cgroup joined, numa_maps says bind:0
out=$(cxlpolicyctl run --policy bind0 --policy-dir "$d" -- sh -c 'cat /proc/self/cgroup; head -n 1 /proc/self/numa_maps') ||
	fail "run --policy bind0 exited $?: $out"
echo "$out"
echo "$out" | grep -q '^0::/rp.slice$' || fail "child not in rp.slice: $out"
echo "$out" | grep -q ' bind:0 ' || fail "child mempolicy is not bind:0: $out"

# interleave with an explicit --cgroup (the policy names two cgroups: no default)
cxlpolicyctl run --policy inter --policy-dir "$d" -- true && fail "inter without --cgroup ran"
# a cgroup another policy governs (wins the match, as the daemon decides it) is refused
out=$(cxlpolicyctl run --policy inter --policy-dir "$d" --cgroup /sys/fs/cgroup/rp.slice -- true 2>&1) &&
	fail "inter ran in rp.slice, which bind0 governs: $out"
echo "$out" | grep -q 'governed by policy "bind0", not "inter"' || fail "refusal does not name the governing policy: $out"
out=$(cxlpolicyctl run --policy inter --policy-dir "$d" --cgroup /sys/fs/cgroup/rp-inter.slice -- head -n 1 /proc/self/numa_maps) ||
	fail "run --policy inter exited $?: $out"
echo "$out"
echo "$out" | grep -q " interleave:0,$SLOW \| interleave:0-$SLOW " || fail "child mempolicy is not interleave:0,$SLOW: $out"

out=$(cxlpolicyctl run --policy dflt --policy-dir "$d" -- head -n 1 /proc/self/numa_maps) || fail "dflt exited $?: $out"
echo "$out" | grep -q ' default ' || fail "child mempolicy is not default: $out"

# the binary's text was on the slow node; run warms it before exec
rm -f /tmp/rpw
must cxlpolicyctl run --membind "$SLOW" -- cp /bin/workload /tmp/rpw
chmod +x /tmp/rpw
wl_start rp cxlpolicyctl run --policy bind0 --policy-dir "$d" -- /tmp/rpw --heap-kb 64
wl_cmd rp report
echo "$WL_REPLY"
[ "$(field "$WL_REPLY" "text_node$SLOW")" = 0 ] || fail "text on node $SLOW after run --policy: $WL_REPLY"
[ "$(field "$WL_REPLY" text_node0)" -gt 0 ] || fail "no text on node 0: $WL_REPLY"
[ "$(field "$WL_REPLY" "heap_node$SLOW")" = 0 ] || fail "heap not bound to node 0: $WL_REPLY"
grep -q '^0::/rp.slice$' "/proc/$WL_PID/cgroup" || fail "workload not in rp.slice: $(cat "/proc/$WL_PID/cgroup")"
wl_quit rp

# weighted interleave: 6.9+
out=$(cxlpolicyctl run --policy wi --policy-dir "$d" --cgroup rp.slice/wi -- head -n 1 /proc/self/numa_maps 2>&1); rc=$?
echo "rc=$rc $out"
if [ -d /sys/kernel/mm/mempolicy/weighted_interleave ]; then
	[ "$rc" = 0 ] || fail "weighted-interleave failed on $(uname -r): $out"
	echo "$out" | grep -q 'weighted' || fail "child mempolicy is not weighted interleave: $out"
else
	[ "$rc" = 1 ] || fail "weighted-interleave on $(uname -r) exited $rc: $out"
	echo "$out" | grep -q "MPOL_WEIGHTED_INTERLEAVE (Linux 6.9" || fail "error does not name the kernel feature: $out"
	echo "$out" | grep -q "$(uname -r)" || fail "error does not name this kernel: $out"
fi
rm -rf "$d" /tmp/rpw
