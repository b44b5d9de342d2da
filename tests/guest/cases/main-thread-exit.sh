#!/bin/sh
# topology: plain cxl hmat
# Issue 7 item 8 (a process whose main thread exited showed no mappings): a process maps a
# 32-page text file on the slow node, then its main thread calls pthread_exit() while a
# second thread lives on (/proc/PID/maps is empty; textmap ends the main thread with the
# exit system call, which is where pthread_exit() ends). `migrate --pid` must move the text
# through the live thread and name it in the JSON (mm_tid).
# Before the rewrite: no mappings, nothing moved, exit 0.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

pages=32
make_text /tmp/mx.text $pages "$SLOW"
wl_start mx /bin/textmap --file /tmp/mx.text --thread --main-exit
tid=$(sed -n 's/^READY .* tid=\([0-9]*\) .*/\1/p' /tmp/mx.out)
_i=0
while [ -n "$(cat "/proc/$WL_PID/maps")" ]; do
	[ -e "/proc/$WL_PID/status" ] || fail "setup: textmap $WL_PID died: $(cat /tmp/mx.out)"
	_i=$((_i + 1))
	[ $_i -le 100 ] || fail "setup: /proc/$WL_PID/maps still shows mappings after 10 s"
	sleep 0.1
done
echo "main thread: $(sed -n 's/^State:\t//p' "/proc/$WL_PID/status"); maps lines: $(wc -l <"/proc/$WL_PID/maps"), task/$tid/maps lines: $(wc -l <"/proc/$WL_PID/task/$tid/maps")"
wl_cmd mx report
echo "before: $WL_REPLY"
[ "$(field "$WL_REPLY" "file_node$SLOW")" = $pages ] || fail "setup: text not all on node $SLOW: $WL_REPLY"

rc=0
out=$(cxlpolicyctl --json migrate --pid "$WL_PID" 2>/tmp/mx.err) || rc=$?
echo "migrate: rc=$rc stderr: $(cat /tmp/mx.err) $(jsummary "$out")"
mm_tid=$(jnum "$out" mm_tid)
moved=$(jnum "$out" moved_pages)
wl_cmd mx report
echo "after: $WL_REPLY"
echo "CXLTEST-SHOW main-thread-exit ($CXLTEST_TOPOLOGY): exit $rc, mm_tid=${mm_tid:-absent} (live thread $tid), moved_pages=$moved, $(field "$WL_REPLY" file_node0)/$pages pages on node 0"
[ "$(field "$WL_REPLY" file_node0)" = $pages ] || fail "text not on node 0 after migrate (moved_pages=$moved): $WL_REPLY"
[ "$moved" = $pages ] || fail "moved_pages=$moved, expected $pages"
[ "$mm_tid" = "$tid" ] || fail "mm_tid=${mm_tid:-absent}, expected the live thread $tid"
[ "$rc" = 0 ] || fail "migrate exited $rc"
wl_quit mx
