#!/bin/sh
# topology: plain hmat
# migrate respects the process's cpuset: while its cgroup allows only the slow node, no
# DRAM node is an allowed target, so its text pages are counted as no_target and nothing
# fails or moves; once cpuset.mems also allows node 0, the same command moves them there.
# Plain topology only: attaching a shell to a cgroup whose mems are only the slow node
# migrates everything it maps, shared busybox text included, so on the CXL node every
# shell in the guest then runs code that straddles DRAM and CXL pages, and QEMU 7.2's TCG
# aborts (translator_access: Assertion `phys_page != -1') — the corner case this project
# exists to keep away from.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

cg=/sys/fs/cgroup/pinned.slice
echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable the cpuset controller"
mkdir -p "$cg"
echo "$SLOW" >"$cg/cpuset.mems" || fail "cannot set cpuset.mems=$SLOW"

place_copy /tmp/p "$SLOW"
wl_start pin sh -c "echo \$\$ >$cg/cgroup.procs && exec /tmp/p --heap-kb 64"
wl_cmd pin report
text=$(field "$WL_REPLY" text_pages)
[ "$(field "$WL_REPLY" "text_node$SLOW")" = "$text" ] || fail "setup: text not on node $SLOW: $WL_REPLY"
grep -q "^Mems_allowed_list:.*$SLOW\$" "/proc/$WL_PID/status" || fail "setup: $(grep Mems_allowed_list "/proc/$WL_PID/status")"

# pages stay on CXL: exit 3 (partial), with the whole JSON printed
rc=0
json=$(cxlpolicyctl --json migrate --cgroup pinned.slice) || rc=$?
[ "$rc" = 3 ] || fail "migrate with no DRAM target exited $rc, expected 3"
echo "$json" | grep -q '"complete":false' || fail "complete should be false: $json"
echo "pinned: $(echo "$json" | grep -o '"dry_run".*')"
[ "$(jnum "$json" moved_pages)" = 0 ] || fail "moved pages outside the cpuset: $json"
[ "$(jnum "$json" failed_pages)" = 0 ] || fail "failures instead of no_target: $json"
[ "$(jnum "$json" no_target_pages)" -ge "$text" ] || fail "no_target_pages $(jnum "$json" no_target_pages), expected >= $text"
wl_cmd pin report
[ "$(field "$WL_REPLY" "text_node$SLOW")" = "$text" ] || fail "text moved although no DRAM node is allowed: $WL_REPLY"

echo "0,$SLOW" >"$cg/cpuset.mems" || fail "cannot widen cpuset.mems"
json=$(cxlpolicyctl --json migrate --cgroup pinned.slice) || fail "migrate exited $?"
echo "widened: $(echo "$json" | grep -o '"dry_run".*')"
[ "$(jnum "$json" moved_pages)" -ge "$text" ] || fail "widened cpuset: moved $(jnum "$json" moved_pages), expected >= $text"
wl_cmd pin report
[ "$(field "$WL_REPLY" text_node0)" = "$text" ] || fail "text not on node 0 after widening: $WL_REPLY"
wl_quit pin
