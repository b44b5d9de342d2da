#!/bin/sh
# topology: plain cxl hmat
# Issue 7 item 4 (counts lied on partial failure): a process maps a 64-page text file on the
# slow node and vmsplices page 10 into a pipe it never reads, so the pipe holds a reference
# and the kernel cannot migrate that page. `migrate --pid` must report what the kernel did:
# moved_pages 63 (equal to what the process's own move_pages query shows on node 0),
# failed_pages 1, complete false, exit 3.
# Before the rewrite: moved 0, failed 64 (EINPROGRESS), exit 0.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

pages=64
pin=10
make_text /tmp/pin.text $pages "$SLOW"
wl_start pin /bin/textmap --file /tmp/pin.text --pin $pin
wl_cmd pin report
echo "before: $WL_REPLY"
[ "$(field "$WL_REPLY" "file_node$SLOW")" = $pages ] || fail "setup: text not all on node $SLOW: $WL_REPLY"

rc=0
out=$(cxlpolicyctl --json migrate --pid "$WL_PID") || rc=$?
echo "migrate: rc=$rc $(jsummary "$out")"
moved=$(jnum "$out" moved_pages)
failed=$(jnum "$out" failed_pages)
wl_cmd pin report
echo "after: $WL_REPLY"
on0=$(field "$WL_REPLY" file_node0)
pinned=$(field "$WL_REPLY" pin_node)
echo "CXLTEST-SHOW pinned-page ($CXLTEST_TOPOLOGY): moved_pages=$moved failed_pages=$failed exit $rc; the process sees $on0 pages on node 0, the pinned page on node $pinned"
[ "$pinned" = "$SLOW" ] || fail "the pinned page moved to node $pinned: the kernel did not keep it (vmsplice did not pin on this kernel)"
[ "$moved" = "$on0" ] || fail "moved_pages=$moved but the process sees $on0 pages on node 0"
[ "$on0" = $((pages - 1)) ] || fail "$on0 pages on node 0, expected $((pages - 1))"
[ "$failed" = 1 ] || fail "failed_pages=$failed, expected 1"
echo "$out" | grep -q '"complete":false' || fail "complete is not false"
[ "$rc" = 3 ] || fail "migrate exited $rc with a page left on node $SLOW, expected 3"
wl_quit pin
