#!/bin/sh
# topology: plain cxl hmat
# Issue 7 item 7 (a threaded cgroup aborted the walk): a process whose mapped text (32 pages)
# is on the slow node lives in threaded.slice with its second thread in a threaded child
# (cgroup.type threaded, whose cgroup.procs fails with EOPNOTSUPP). `migrate --cgroup
# threaded.slice` must succeed, see the process once and move its text to node 0.
# Before the rewrite the walk stopped at the threaded child's cgroup.procs (EOPNOTSUPP).
# shellcheck source=../caselib.sh
. /etc/caselib.sh

pages=32
cg=/sys/fs/cgroup/threaded.slice
mkdir -p "$cg/worker"
echo threaded >"$cg/worker/cgroup.type" || fail "cannot make $cg/worker threaded"
make_text /tmp/thr.text $pages "$SLOW"
wl_start thr /bin/textmap --file /tmp/thr.text --thread
tid=$(sed -n 's/^READY .* tid=\([0-9]*\) .*/\1/p' /tmp/thr.out)
echo "$WL_PID" >"$cg/cgroup.procs" || fail "cannot move $WL_PID into $cg"
echo "$tid" >"$cg/worker/cgroup.threads" || fail "cannot move thread $tid into $cg/worker"
echo "types: $(cat "$cg/cgroup.type") / $(cat "$cg/worker/cgroup.type"); worker threads: $(tr '\n' ' ' <"$cg/worker/cgroup.threads")"
cat "$cg/worker/cgroup.procs" >/dev/null 2>&1 && fail "setup: cgroup.procs of a threaded cgroup is readable here"
wl_cmd thr report
echo "before: $WL_REPLY"
[ "$(field "$WL_REPLY" "file_node$SLOW")" = $pages ] || fail "setup: text not all on node $SLOW: $WL_REPLY"

rc=0
out=$(cxlpolicyctl --json migrate --cgroup threaded.slice 2>/tmp/thr.err) || rc=$?
echo "migrate: rc=$rc stderr: $(cat /tmp/thr.err) $(jsummary "$out")"
wl_cmd thr report
echo "after: $WL_REPLY"
procs=$(jtotal "$out" processes)
moved=$(jnum "$out" moved_pages)
echo "CXLTEST-SHOW threaded-cgroup ($CXLTEST_TOPOLOGY): exit $rc, processes=$procs moved_pages=$moved, $(field "$WL_REPLY" file_node0)/$pages pages on node 0"
[ "$rc" = 0 ] || fail "migrate --cgroup with a threaded child exited $rc: $(cat /tmp/thr.err)"
[ "$procs" = 1 ] || fail "migrate saw $procs processes, expected 1"
[ "$moved" = $pages ] || fail "moved_pages=$moved, expected $pages"
[ "$(field "$WL_REPLY" file_node0)" = $pages ] || fail "text not on node 0: $WL_REPLY"
wl_quit thr
