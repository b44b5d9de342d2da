#!/bin/sh
# topology: plain cxl hmat
# Issue 7 item 1 (dedupe hid pages): a 256-page text file on the slow node is mapped
# PROT_READ|PROT_EXEC by three processes in one cgroup; the first one scanned (lowest pid)
# faulted only page 0 (plus the kernel's fault-around), the later ones every page.
# `migrate --cgroup` must leave no page of the file on the slow node in any process's own
# move_pages view, and moved_pages must equal the distinct resident pages (all 256).
# Before the rewrite the first process's scan claimed the whole file range: 240 pages stayed.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

pages=256
make_text /tmp/pf.text $pages "$SLOW"
cg=/sys/fs/cgroup/partial-fault
mkdir -p "$cg"
pids=
union=0
for i in 1 2 3; do
	fault=all
	[ $i = 1 ] && fault=0
	wl_start "pf$i" /bin/textmap --file /tmp/pf.text --fault $fault
	echo "$WL_PID" >"$cg/cgroup.procs" || fail "cannot move $WL_PID into $cg"
	pids="$pids $WL_PID"
	wl_cmd "pf$i" report
	res=$(tm_resident "$WL_REPLY")
	echo "pf$i (pid $WL_PID, --fault $fault): $WL_REPLY"
	[ "$(field "$WL_REPLY" "file_node$SLOW")" = "$res" ] || fail "setup: pf$i pages not all on node $SLOW: $WL_REPLY"
	[ "$res" -gt "$union" ] && union=$res
	[ $i = 1 ] && first=$res
done
[ "$first" -lt $pages ] || fail "setup: the first mapper has all $pages pages resident (want a partial fault)"
[ "$union" = $pages ] || fail "setup: no mapper has all $pages pages resident"
# shellcheck disable=SC2086 # split the pid list
set -- $pids
if [ "$1" -gt "$2" ] || [ "$1" -gt "$3" ]; then
	fail "setup: the partial mapper $1 is not the lowest pid of$pids"
fi

rc=0
out=$(cxlpolicyctl --json migrate --cgroup partial-fault) || rc=$?
echo "migrate: rc=$rc $(jsummary "$out")"
moved=$(jnum "$out" moved_pages)
left=0
for i in 1 2 3; do
	wl_cmd "pf$i" report
	echo "pf$i after: $WL_REPLY"
	slow=$(field "$WL_REPLY" "file_node$SLOW")
	left=$((left > slow ? left : slow))
done
echo "CXLTEST-SHOW partial-fault ($CXLTEST_TOPOLOGY): first mapper had $first/$pages pages resident; moved_pages=$moved (distinct resident $union), at most $left pages left on node $SLOW in any process, exit $rc"
[ "$left" = 0 ] || fail "$left pages of the file still on node $SLOW after migrate --cgroup (moved_pages=$moved)"
[ "$moved" = "$union" ] || fail "moved_pages=$moved, expected the $union distinct resident pages"
[ "$rc" = 0 ] || fail "migrate --cgroup exited $rc"
for i in 1 2 3; do wl_quit "pf$i"; done
