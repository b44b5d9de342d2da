#!/bin/sh
# topology: plain cxl hmat
# One binary on the slow node run as three processes in a cgroup: `migrate --cgroup` moves
# its text once (shared page cache) and every process then sees its text on node 0.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

place_copy /tmp/w "$SLOW"
cg=/sys/fs/cgroup/shared-text
mkdir -p "$cg"
pids=
for i in 1 2 3; do
	wl_start "sh$i" cxlpolicyctl run --membind "$SLOW" -- /tmp/w --heap-kb 64
	echo "$WL_PID" >"$cg/cgroup.procs" || fail "cannot move $WL_PID into $cg"
	pids="$pids $WL_PID"
	wl_cmd "sh$i" report
	rep=$WL_REPLY
	text=$(field "$rep" text_pages)
	[ "$(field "$rep" "text_node$SLOW")" = "$text" ] || fail "sh$i text not on node $SLOW: $rep"
done
echo "pids:$pids members: $(tr '\n' ' ' <"$cg/cgroup.procs")"

out=$(cxlpolicyctl --json migrate --cgroup shared-text) || fail "migrate --cgroup exited $?: $out"
echo "$out"
[ "$(jtotal "$out" processes)" = 3 ] || fail "migrate saw $(jtotal "$out" processes) processes, expected 3"
moved=$(jnum "$out" moved_pages)
[ "$moved" -ge "$text" ] || fail "moved_pages=$moved, less than one copy of the text ($text pages)"
[ "$moved" -lt $((2 * text)) ] || fail "moved_pages=$moved, more than one copy of the text ($text pages)"
for i in 1 2 3; do
	wl_cmd "sh$i" report
	rep=$WL_REPLY
	echo "sh$i after: $rep"
	resident=$((text - $(field "$rep" text_absent)))
	[ "$(field "$rep" text_node0)" = "$resident" ] || fail "sh$i text not on node 0: $rep"
	wl_quit "sh$i"
done
