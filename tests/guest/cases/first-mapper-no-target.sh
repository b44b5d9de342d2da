#!/bin/sh
# topology: plain hmat
# Issue 7 item 2 (a first mapper that cannot move dropped the page for everyone): a 64-page
# text file on the slow node is mapped by two processes; the first (lower pid) lives in a
# cgroup whose cpuset.mems is only the slow node, the second in one that allows node 0.
# `migrate --cgroup` on their parent must move every page to node 0 through the second
# mapper: moved_pages 64, no_target 0, exit 0, and both processes see node 0.
# Before the rewrite the first mapper's scan claimed the range: moved 0, no_target 64.
# Plain topology only, as cpuset-target.sh explains (a CXL-only cpuset drags busybox text
# onto CXL and QEMU 7.2 TCG aborts).
# shellcheck source=../caselib.sh
. /etc/caselib.sh

pages=64
parent=/sys/fs/cgroup/no-target.slice
echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable the cpuset controller"
mkdir -p "$parent"
echo +cpuset >"$parent/cgroup.subtree_control" || fail "cannot enable cpuset below $parent"
mkdir -p "$parent/slow-only" "$parent/wide"
echo "$SLOW" >"$parent/slow-only/cpuset.mems" || fail "cannot set cpuset.mems=$SLOW"
echo "0,$SLOW" >"$parent/wide/cpuset.mems" || fail "cannot set cpuset.mems=0,$SLOW"

make_text /tmp/nt.text $pages "$SLOW"
wl_start nt1 sh -c "echo \$\$ >$parent/slow-only/cgroup.procs && exec /bin/textmap --file /tmp/nt.text"
p1=$WL_PID
wl_start nt2 sh -c "echo \$\$ >$parent/wide/cgroup.procs && exec /bin/textmap --file /tmp/nt.text"
p2=$WL_PID
[ "$p1" -lt "$p2" ] || fail "setup: the slow-only mapper $p1 is not the lower pid ($p2)"
echo "nt1 $p1 $(grep Mems_allowed_list "/proc/$p1/status"); nt2 $p2 $(grep Mems_allowed_list "/proc/$p2/status")"
for i in 1 2; do
	wl_cmd "nt$i" report
	echo "nt$i before: $WL_REPLY"
	[ "$(field "$WL_REPLY" "file_node$SLOW")" = $pages ] || fail "setup: nt$i text not all on node $SLOW: $WL_REPLY"
done

rc=0
out=$(cxlpolicyctl --json migrate --cgroup no-target.slice) || rc=$?
echo "migrate: rc=$rc $(jsummary "$out")"
moved=$(jnum "$out" moved_pages)
nt=$(jnum "$out" no_target_pages)
echo "nt1 moves: $(jprocess "$out" "$p1" | grep -o '"moves":{[^}]*}')"
echo "nt2 moves: $(jprocess "$out" "$p2" | grep -o '"moves":{[^}]*}')"
wl_cmd nt1 report
echo "nt1 after: $WL_REPLY"
after1=$(field "$WL_REPLY" file_node0)
wl_cmd nt2 report
echo "nt2 after: $WL_REPLY"
after2=$(field "$WL_REPLY" file_node0)
echo "CXLTEST-SHOW first-mapper-no-target ($CXLTEST_TOPOLOGY): moved_pages=$moved no_target_pages=$nt exit $rc; node 0 pages seen by the slow-only mapper $after1/$pages, by the other $after2/$pages"
[ "$after2" = $pages ] || fail "only $after2/$pages pages on node 0 after migrate (moved_pages=$moved, no_target_pages=$nt)"
[ "$after1" = $pages ] || fail "the slow-only mapper sees $after1/$pages pages on node 0"
[ "$moved" = $pages ] || fail "moved_pages=$moved, expected $pages"
[ "$nt" = 0 ] || fail "no_target_pages=$nt although the second mapper could move them"
[ "$rc" = 0 ] || fail "migrate exited $rc"
wl_quit nt1
wl_quit nt2
