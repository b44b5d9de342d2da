#!/bin/sh
# topology: plain cxl hmat
# Issue 7 item 3 (private copy-on-write copies were hidden): a 16-page text file with its
# page cache on node 0 is mapped by B and then by A; A, bound to the slow node, turns page 3
# into its own private copy the way a debugger plants a breakpoint (mprotect RW, write,
# mprotect back), so the copy lands on the slow node. `migrate --cgroup` must move A's
# copy to node 0 (A's own move_pages view) and report it in A's private_copies.
# Before the rewrite B's scan (lower pid) claimed the file range and A's copy was counted
# as deduplicated and never moved.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

pages=16
cow=3
make_text /tmp/cow.text $pages 0
cg=/sys/fs/cgroup/cow.slice
mkdir -p "$cg"
wl_start cowB /bin/textmap --file /tmp/cow.text
pb=$WL_PID
echo "$pb" >"$cg/cgroup.procs" || fail "cannot move $pb into $cg"
wl_start cowA cxlpolicyctl run --membind "$SLOW" -- /bin/textmap --file /tmp/cow.text --cow $cow
pa=$WL_PID
echo "$pa" >"$cg/cgroup.procs" || fail "cannot move $pa into $cg"
[ "$pb" -lt "$pa" ] || fail "setup: B $pb is not scanned before A $pa"
wl_cmd cowB report
echo "B before: $WL_REPLY"
[ "$(field "$WL_REPLY" file_node0)" = $pages ] || fail "setup: B's text not on node 0: $WL_REPLY"
wl_cmd cowA report
echo "A before: $WL_REPLY"
[ "$(field "$WL_REPLY" cow_node)" = "$SLOW" ] || fail "setup: A's private copy not on node $SLOW: $WL_REPLY"
[ "$(field "$WL_REPLY" file_node0)" = $((pages - 1)) ] || fail "setup: A's shared pages not on node 0: $WL_REPLY"

rc=0
out=$(cxlpolicyctl --json migrate --cgroup cow.slice) || rc=$?
echo "migrate: rc=$rc $(jsummary "$out")"
moved=$(jnum "$out" moved_pages)
amap=$(jmappings "$(jprocess "$out" "$pa")" | grep '"path":"/tmp/cow.text"')
echo "A's mappings of the file (the mprotect split it): $amap"
# sum over the file's mappings
copies=0
dedup=0
for v in $(echo "$amap" | grep -o '"private_copies":[0-9]*' | cut -d: -f2); do copies=$((copies + v)); done
for v in $(echo "$amap" | grep -o '"deduplicated":[0-9]*' | cut -d: -f2); do dedup=$((dedup + v)); done
wl_cmd cowA report
echo "A after: $WL_REPLY"
node=$(field "$WL_REPLY" cow_node)
echo "CXLTEST-SHOW cow-copy ($CXLTEST_TOPOLOGY): A's private copy on node $node after migrate (was $SLOW); A's private_copies=$copies deduplicated=$dedup; moved_pages=$moved exit $rc"
[ "$node" = 0 ] || fail "A's private copy of page $cow is on node $node after migrate, expected 0 (moved_pages=$moved)"
[ "$copies" = 1 ] || fail "A's mapping reports private_copies=$copies in all, expected 1"
[ "$moved" = 1 ] || fail "moved_pages=$moved, expected 1 (only the private copy was on node $SLOW)"
[ "$rc" = 0 ] || fail "migrate exited $rc"
wl_cmd cowB report
[ "$(field "$WL_REPLY" file_node0)" = $pages ] || fail "B's text left node 0: $WL_REPLY"
wl_quit cowA
wl_quit cowB
