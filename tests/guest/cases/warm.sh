#!/bin/sh
# topology: plain cxl hmat
# `warm FILE`: a binary whose page cache was written while bound to the slow node ends with
# every page on node 0.  Checked independently: a fresh process running that binary counts
# its own text pages with move_pages (workload `report`) and its numa_maps shows N0 only.
# (The guest's root is tmpfs: pages are never evicted, so the "not resident" path, faulting
# under MPOL_BIND, is covered by the host integration test instead.)
# shellcheck source=../caselib.sh
. /etc/caselib.sh

rm -f /tmp/w
must cxlpolicyctl run --membind "$SLOW" -- cp /bin/workload /tmp/w
chmod +x /tmp/w
pages=$(( ($(stat -c %s /tmp/w) + 4095) / 4096 ))

# before: the text of a mapper is on the slow node
wl_start before /tmp/w --heap-kb 4
wl_cmd before report
echo "before: $WL_REPLY"
[ "$(field "$WL_REPLY" "text_node$SLOW")" -gt 0 ] || fail "setup: no text page on node $SLOW: $WL_REPLY"
wl_quit before

out=$(cxlpolicyctl --json warm /tmp/w); rc=$?
echo "$out"
[ "$rc" = 0 ] || fail "warm exited $rc: $out"
[ "$(jnum "$out" pages)" = "$pages" ] || fail "warm: pages $(jnum "$out" pages), expected $pages"
[ "$(jnum "$out" moved)" = "$pages" ] || fail "warm: moved $(jnum "$out" moved), expected $pages (all were on node $SLOW)"
[ "$(jnum "$out" left_cxl)" = 0 ] || fail "warm: left_cxl $(jnum "$out" left_cxl)"

wl_start after /tmp/w --heap-kb 4
wl_cmd after report
echo "after: $WL_REPLY"
[ "$(field "$WL_REPLY" "text_node$SLOW")" = 0 ] || fail "text still on node $SLOW after warm: $WL_REPLY"
[ "$(field "$WL_REPLY" text_node0)" -gt 0 ] || fail "no text on node 0 after warm: $WL_REPLY"
grep ' file=/tmp/w' "/proc/$WL_PID/numa_maps" | grep "N$SLOW=" && fail "numa_maps shows /tmp/w pages on node $SLOW"
wl_quit after

# a second warm finds every page on DRAM already
out=$(cxlpolicyctl --json warm /tmp/w) || fail "second warm exited $?: $out"
[ "$(jnum "$out" already_dram)" = "$pages" ] || fail "second warm: $out"

# bad inputs: exit 2, a FIFO does not block
mkfifo /tmp/wf
cxlpolicyctl warm /tmp/wf; rc=$?
[ "$rc" = 2 ] || fail "warm FIFO exited $rc"
cxlpolicyctl warm /tmp; rc=$?
[ "$rc" = 2 ] || fail "warm directory exited $rc"
rm -f /tmp/w /tmp/wf
