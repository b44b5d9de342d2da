#!/bin/sh
# topology: plain cxl hmat
# Issue 7 item 5 (user namespaces): root inside a user namespace sees CAP_SYS_NICE in
# capget(), yet move_pages(MPOL_MF_MOVE_ALL) checks the initial namespace and fails EPERM.
# Two workloads of one binary (text on the slow node, shared by both) and the first one's
# 64-page anonymous rwx JIT region on the slow node, all started inside one user namespace
# (`unshare -Ur`, so the migrate there may look at them). `migrate --pid` there must fall
# back to MPOL_MF_MOVE (fell_back_to_move true), move the private JIT pages, report the
# shared text pages as EACCES failures, exit 3, and say that shared pages need CAP_SYS_NICE
# on the host. Before the rewrite: every call EPERM, 0 pages moved, exit 0.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

if [ "$1" != inside ]; then
	unshare -Ur true || fail "unshare -Ur does not work in this guest"
	exec unshare -Ur sh "$0" inside
fi
echo "inside: $(tr -s ' ' </proc/self/uid_map) CapEff=$(sed -n 's/^CapEff:\t//p' /proc/self/status)"

place_copy /tmp/un "$SLOW"
wl_start un1 /tmp/un --heap-kb 64 --heap-node "$SLOW" --jit-kb 256
p1=$WL_PID
wl_start un2 /tmp/un --heap-kb 64
wl_cmd un1 report
echo "un1 before: $WL_REPLY"
text=$(field "$WL_REPLY" text_pages)
jit=$(field "$WL_REPLY" jit_pages)
[ "$(field "$WL_REPLY" "text_node$SLOW")" = "$text" ] || fail "setup: text not on node $SLOW: $WL_REPLY"
[ "$(field "$WL_REPLY" "jit_node$SLOW")" = "$jit" ] || fail "setup: jit not on node $SLOW: $WL_REPLY"

rc=0
out=$(cxlpolicyctl --json migrate --pid "$p1" 2>/tmp/un.err) || rc=$?
echo "migrate --json: rc=$rc stderr: $(cat /tmp/un.err) $(jsummary "$out")"
moved=$(jnum "$out" moved_pages)
failed=$(jnum "$out" failed_pages)
eacces=$(echo "$out" | grep -o '"failures":{[^}]*}' | grep -o '"EACCES":[0-9]*' | cut -d: -f2)
fell=$(echo "$out" | grep -o '"fell_back_to_move":[a-z]*' | cut -d: -f2)
need=$(echo "$out" | grep -o '"shared_pages_need_cap_sys_nice":[a-z]*' | cut -d: -f2)
priv=$(echo "$out" | grep -o '"move_privilege":"[a-z_]*"' | cut -d'"' -f4)
jerr=$(cat /tmp/un.err)
wl_cmd un1 report
echo "un1 after: $WL_REPLY"
jit0=$(field "$WL_REPLY" jit_node0)
textslow=$(field "$WL_REPLY" "text_node$SLOW")
# the same in text mode: only the shared text is left, and the note must say why
trc=0
cxlpolicyctl migrate --pid "$p1" >/tmp/un.txt 2>/tmp/un.err || trc=$?
echo "migrate (text): rc=$trc stdout: $(tr '\n' ' ' </tmp/un.txt) stderr: $(cat /tmp/un.err)"
echo "CXLTEST-SHOW userns-fallback ($CXLTEST_TOPOLOGY): moved_pages=$moved (jit $jit0/$jit on node 0) failed_pages=$failed (EACCES ${eacces:-0}; shared text $textslow/$text still on node $SLOW) exit $rc; fell_back_to_move=$fell move_privilege=$priv shared_pages_need_cap_sys_nice=$need; text mode exit $trc"
[ "$jit0" = "$jit" ] || fail "private jit pages on node 0: $jit0/$jit"
[ "$moved" = "$jit" ] || fail "moved_pages=$moved, expected the $jit jit pages"
[ "$textslow" = "$text" ] || fail "shared text moved without CAP_SYS_NICE? $textslow/$text on node $SLOW"
[ "${eacces:-0}" = "$text" ] || fail "EACCES failures ${eacces:-0}, expected the $text shared text pages"
[ "$rc" = 3 ] || fail "migrate exited $rc with shared pages left on node $SLOW, expected 3"
[ "$trc" = 3 ] || fail "migrate (text output) exited $trc with shared pages left on node $SLOW, expected 3"
grep -q CAP_SYS_NICE /tmp/un.err /tmp/un.txt || fail "the text output does not say that shared pages need CAP_SYS_NICE on the host"
# SCHEMA.md: the JSON says why the shared pages stayed (MPOL_MF_MOVE_ALL not available:
# CAP_SYS_NICE only inside a user namespace) and that they need CAP_SYS_NICE on the host
[ "$need" = true ] || fail "the JSON does not say shared pages need CAP_SYS_NICE: $need"
[ "$priv" = user_namespace ] || [ "$fell" = true ] ||
	fail "the JSON does not say why: move_privilege=$priv fell_back_to_move=$fell"
echo "$jerr" | grep -q CAP_SYS_NICE || fail "stderr of the JSON run does not name CAP_SYS_NICE: $jerr"
wl_quit un1
wl_quit un2
