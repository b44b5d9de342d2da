#!/bin/sh
# topology: plain hmat
# Review of issue 7 (items 1-4 together, the real pattern): a 256-page text file on the slow
# node (16 blocks of 16 pages; whole aligned blocks so fault-around adds nothing) is mapped
# by 12 processes, each faulting a different set of blocks. Three live in a cgroup whose
# cpuset.mems is only the slow node (S1 the lowest pid, S2, S3 in between); nine may use
# node 0. Three wide processes and S3 turn one page into a private copy-on-write copy on the
# slow node. Blocks 12-14 are mapped only by slow-only processes; block 15 by nobody.
#   union of shared resident pages: blocks 0-14 = 240; mapped from the page cache only by
#   slow-only processes: blocks 12-14 and pages 40 and 100 (their only wide mappers, W2 and
#   W4, hold private copies of them instead) = 50
#   private copies on the slow node: 3 wide + 1 in S3
# One `migrate --cgroup` must leave: every wide process with no page on the slow node,
# S1 17 pages (block 12, page 40), S2 17 (block 13, page 100), S3 33 (blocks 13-14 and its
# copy); moved_pages 193 (190 shared + 3 copies), no_target_pages 51 (50 + S3's copy),
# failed 0, exit 3. A scan before it must count 244 CXL pages of the file once each
# (totals over the file's mappings), and deduplicated = the shared resident sum - 240.
# Plain only: cpuset-target.sh explains why not on cxl.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

F=/tmp/ms.text
parent=/sys/fs/cgroup/many.slice
echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable the cpuset controller"
mkdir -p "$parent"
echo +cpuset >"$parent/cgroup.subtree_control" || fail "cannot enable cpuset below $parent"
mkdir -p "$parent/slow-only" "$parent/wide"
echo "$SLOW" >"$parent/slow-only/cpuset.mems" || fail "cannot set cpuset.mems=$SLOW"
echo "0,$SLOW" >"$parent/wide/cpuset.mems" || fail "cannot set cpuset.mems=0,$SLOW"
make_text $F 256 "$SLOW"
# Fault-around aligns on virtual addresses, which need not match the blocks: map only the
# page that faults, so each process's resident set is exactly its blocks.
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug || fail "setup: cannot mount debugfs"
echo 4096 >/sys/kernel/debug/fault_around_bytes || fail "setup: cannot set fault_around_bytes"

# blocks B...: fault list of whole 16-page blocks
blocks() {
	_l=
	for _b in "$@"; do _l="$_l,$((_b * 16))-$((_b * 16 + 15))"; done
	echo "${_l#,}"
}
# start NAME GROUP COW BLOCKS...: a textmap in GROUP (slow-only|wide) bound to the slow node
start() {
	_n=$1 _g=$2 _c=$3
	shift 3
	_cow=
	[ "$_c" = - ] || _cow="--cow $_c"
	# shellcheck disable=SC2086 # _cow is empty or two words
	wl_start "$_n" cxlpolicyctl run --membind "$SLOW" -- sh -c "echo \$\$ >$parent/$_g/cgroup.procs && exec /bin/textmap --file $F --fault $(blocks "$@") $_cow"
	echo "$_n $WL_PID" >>/tmp/ms.pids
}
: >/tmp/ms.pids
start S1 slow-only - 0 1 2 3 12
start W1 wide - 1
start W2 wide 40 2 3 4
start S2 slow-only - 4 5 6 13
start W3 wide - 5
start W4 wide 100 6 7
start W5 wide - 0 8
start S3 slow-only 140 8 9 13 14
start W6 wide - 9 10
start W7 wide - 10 11
start W8 wide - 11
start W9 wide 50 3
names="S1 W1 W2 S2 W3 W4 W5 S3 W6 W7 W8 W9"
shared_sum=0
for n in $names; do
	wl_cmd "$n" report
	echo "$n before: $WL_REPLY"
	res=$(tm_resident "$WL_REPLY")
	[ "$(field "$WL_REPLY" "file_node$SLOW")" = "$res" ] || fail "setup: $n has pages off node $SLOW: $WL_REPLY"
	case $WL_REPLY in *cow_node=*) [ "$(field "$WL_REPLY" cow_node)" = "$SLOW" ] || fail "setup: $n copy not on $SLOW" ;; esac
	case $WL_REPLY in *cow_node=*) res=$((res - 1)) ;; esac
	shared_sum=$((shared_sum + res))
done

# sum KEY over the mappings of $F in JSON $1
filesum() {
	_s=0
	for _v in $(jmappings "$1" | grep "\"path\":\"$F\"" | grep -o "\"$2\":[0-9]*" | cut -d: -f2); do
		_s=$((_s + _v))
	done
	echo $_s
}
scan=$(cxlpolicyctl --json scan --cgroup many.slice) || fail "scan exited $?"
s_cxl_total=$(jtotal "$scan" cxl_pages)
s_res=$(filesum "$scan" resident)
s_dedup=$(filesum "$scan" deduplicated)
s_copies=$(filesum "$scan" private_copies)
echo "scan: totals.cxl_pages=$s_cxl_total; file: resident=$s_res deduplicated=$s_dedup private_copies=$s_copies (shared resident sum $shared_sum)"

rc=0
out=$(cxlpolicyctl --json migrate --cgroup many.slice) || rc=$?
echo "migrate: rc=$rc $(jsummary "$out")"
moved=$(jnum "$out" moved_pages)
nt=$(jnum "$out" no_target_pages)
failed=$(jnum "$out" failed_pages)
bad=
for n in $names; do
	wl_cmd "$n" report
	echo "$n after: $WL_REPLY  moves: $(jprocess "$out" "$(awk -v n="$n" '$1 == n { print $2 }' /tmp/ms.pids)" | grep -o '"moves":{[^}]*}')"
	left=$(field "$WL_REPLY" "file_node$SLOW")
	case $n in
	S1 | S2) want=17 ;;
	S3) want=33 ;;
	*) want=0 ;;
	esac
	[ "$left" = "$want" ] || bad="$bad $n:$left/$want"
done
echo "CXLTEST-SHOW many-sharers ($CXLTEST_TOPOLOGY): scan cxl_pages=$s_cxl_total (want 244) dedup=$s_dedup (want $((shared_sum - 240))) copies=$s_copies (want 4); migrate moved=$moved (want 193) no_target=$nt (want 51) failed=$failed exit $rc (want 3); wrong slow-node counts:${bad:- none}"
[ -z "$bad" ] || fail "pages on node $SLOW after one migrate differ from expected (name:have/want):$bad"
[ "$moved" = 193 ] || fail "moved_pages=$moved, expected 193"
[ "$nt" = 51 ] || fail "no_target_pages=$nt, expected 51"
[ "$failed" = 0 ] || fail "failed_pages=$failed, expected 0"
[ "$rc" = 3 ] || fail "migrate exited $rc, expected 3 (pages left with no target)"
[ "$s_dedup" = $((shared_sum - 240)) ] || fail "scan: deduplicated=$s_dedup over the file, expected $((shared_sum - 240))"
[ "$s_copies" = 4 ] || fail "scan: private_copies=$s_copies over the file, expected 4"
[ "$s_cxl_total" = 244 ] || fail "scan: totals.cxl_pages=$s_cxl_total, expected 244 (240 shared once + 4 copies)"
for n in $names; do wl_quit "$n"; done
echo 65536 >/sys/kernel/debug/fault_around_bytes
