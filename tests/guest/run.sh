#!/bin/sh
# run.sh — boot the test guest for one topology under TCG and report its test results.
#
# Usage: tests/guest/run.sh [--shell] [--case NAME[,NAME...]] [--timeout SECONDS] TOPOLOGY
#   TOPOLOGY   plain (node 1: CPU-less RAM) or cxl (plus node 2: emulated CXL type-3 memory
#              onlined through cxl/ndctl/daxctl), both on Debian's 6.1 kernel; or hmat
#              (kernel 6.12: node 1 CPU-less RAM that the firmware's HMAT describes as slow);
#              or systemd (plain's nodes and kernel, the host's systemd as PID 1)
#   --shell    boot interactively with a busybox shell on the console (Ctrl-A X quits QEMU)
#   --case     run only these cases (names of tests/guest/cases/*.sh without .sh)
#   --timeout  hard limit for the whole boot (default 720 for plain, cxl and hmat, 300 for systemd)
#   --append   extra kernel arguments (e.g. cxltest.demo=1 for make demo)
# Prints one line per case and "guest-TOPOLOGY: N passed, N failed"; exits 1 on any
# failure, a missing CXLTEST-DONE, a kernel panic or the timeout, after printing the
# console tail. The whole console goes to build/guest-TOPOLOGY.log.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${CXLPOLICY_GUEST_CACHE:-$here/.cache}

usage() {
	echo "usage: run.sh [--shell] [--case NAME[,NAME...]] [--timeout SECONDS] [--append ARGS] plain|cxl|hmat|systemd" >&2
	exit 2
}
shell=0
cases=
hard=
extra_append=
topology=
while [ $# -gt 0 ]; do
	case $1 in
	--shell) shell=1 ;;
	--case) [ $# -ge 2 ] || usage && cases=$2 && shift ;;
	--timeout) [ $# -ge 2 ] || usage && hard=$2 && shift ;;
	--append) [ $# -ge 2 ] || usage && extra_append=$2 && shift ;;
	-*) usage ;;
	*) [ -z "$topology" ] || usage && topology=$1 ;;
	esac
	shift
done
case $topology in
plain) hard=${hard:-720} kernel=6.1 ;;
cxl) hard=${hard:-720} kernel=6.1 ;;
hmat) hard=${hard:-720} kernel=6.12 ;;
systemd) hard=${hard:-300} kernel=6.1 ;;
*) usage ;;
esac

"$here/fetch.sh" "$kernel"
kdir=$cache
[ "$kernel" = 6.1 ] || kdir=$cache/$kernel
kver=$(cat "$kdir/kver")

# One initramfs per kernel (the modules differ); rebuilt when any input is newer. The unit
# suites go in when they are built (the unit-suites case fails without them).
# The systemd topology has its own: the host's systemd in (-s), the unit suites out.
initrd=$top/build/guest-initramfs-$kernel.cpio.gz
unitdir=$top/build/asan/tests
set --
if [ "$topology" = systemd ]; then
	initrd=$top/build/guest-initramfs-$kernel-systemd.cpio.gz
	set -- -s
elif [ -d "$unitdir" ]; then
	set -- -u "$unitdir"
fi
if [ ! -f "$initrd" ] || [ -n "$(find "$here/init" "$here/caselib.sh" "$here/mkinitramfs.sh" \
	"$here/cases" "$cache/stamp" "$kdir/stamp" "$top/build/bin" "$top/build/guest" \
	"$here/systemd" "$top/deploy/systemd" \
	${2:+"$unitdir" "$top/tests/fixtures" "$top/policies"} -newer "$initrd" 2>/dev/null | head -n 1)" ]; then
	"$here/mkinitramfs.sh" -o "$initrd" -k "$kdir" "$@"
fi

rundir=$top/build/guest-$topology
mkdir -p "$rundir"
log=$top/build/guest-$topology.log

# Node 0: 2 vCPUs and DRAM. Node 1: CPU-less RAM. cxl adds a type-3 device behind a
# pxb-cxl host bridge with two root ports (one port reads back zeros) that becomes node 2.
# hmat gives both nodes initiator 0 and HMAT latency/bandwidth: node 0 100 ns, 20 GB/s;
# node 1 300 ns, 5 GB/s (6.12 puts node 1 in a lower memory tier from these numbers).
set -- -accel tcg -cpu max -smp 2 -m 1536M -no-reboot -nodefaults -no-user-config \
	-object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=512M
if [ "$topology" = hmat ]; then
	set -- "$@" -M q35,hmat=on \
		-numa node,nodeid=0,cpus=0-1,memdev=m0,initiator=0 \
		-numa node,nodeid=1,memdev=m1,initiator=0 \
		-numa hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-latency,latency=100 \
		-numa hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-bandwidth,bandwidth=20G \
		-numa hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-latency,latency=300 \
		-numa hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-bandwidth,bandwidth=5G
else
	set -- "$@" -numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,memdev=m1
fi
if [ "$topology" = cxl ]; then
	rm -f "$rundir/cxl-mem.raw" "$rundir/cxl-lsa.raw"
	set -- "$@" -M q35,cxl=on,cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G \
		-object "memory-backend-file,id=cxl-mem0,share=on,mem-path=$rundir/cxl-mem.raw,size=256M" \
		-object "memory-backend-file,id=cxl-lsa0,share=on,mem-path=$rundir/cxl-lsa.raw,size=1M" \
		-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 \
		-device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2 \
		-device cxl-rp,port=1,bus=cxl.1,id=rp1,chassis=0,slot=3 \
		-device cxl-type3,bus=rp0,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0
elif [ "$topology" = plain ] || [ "$topology" = systemd ]; then
	set -- "$@" -M q35
fi
append="console=ttyS0 panic=-1 oops=panic numa_balancing=disable loglevel=4 mitigations=off nokaslr"
append="$append cxltest.topology=$topology"
[ -n "$cases" ] && append="$append cxltest.cases=$cases"
# Under CI a SKIP inside the guest (unit-suites) is a failure too.
[ -n "${CI:-}" ] && append="$append cxltest.ci=1"
[ -n "$extra_append" ] && append="$append $extra_append"
set -- "$@" -kernel "$kdir/root/boot/vmlinuz-$kver" -initrd "$initrd"

if [ $shell = 1 ]; then
	exec qemu-system-x86_64 "$@" -nographic -serial mon:stdio \
		-append "$append cxltest.mode=shell"
fi

rm -f "$log" "$rundir/console.txt"
: >"$log"
start=$(date +%s)
rc=0
timeout -k 5 "$hard" qemu-system-x86_64 "$@" -display none -serial "file:$log" \
	-append "$append" </dev/null >"$rundir/qemu.out" 2>&1 || rc=$?
secs=$(($(date +%s) - start))
tr -d '\r' <"$log" >"$rundir/console.txt"
console=$rundir/console.txt

passed=$(grep -c '^CXLTEST-RESULT PASS ' "$console" || true)
failed=$(grep -c '^CXLTEST-RESULT FAIL ' "$console" || true)
sed -n 's/^CXLTEST-RESULT \([A-Z]*\) /\1 '"$topology"'\//p' "$console"
sed -n 's/^CXLTEST-SHOW /  /p' "$console"

problem=
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	problem="guest timed out after ${hard}s"
elif grep -q 'Kernel panic' "$console"; then
	problem="kernel panic: $(grep -m1 'Kernel panic' "$console")"
elif grep -q '^CXLTEST-SETUP-FAIL' "$console"; then
	problem="setup: $(sed -n 's/^CXLTEST-SETUP-FAIL //p' "$console" | head -n 1)"
elif [ $rc -ne 0 ]; then
	problem="qemu exited $rc: $(tail -n 3 "$rundir/qemu.out" | tr '\n' ' ')"
elif ! grep -q '^CXLTEST-DONE' "$console"; then
	problem="guest stopped without CXLTEST-DONE"
elif [ $((passed + failed)) -eq 0 ]; then
	problem="no test case ran"
fi
if [ -n "$problem" ]; then
	echo "FAIL $topology/boot: $problem"
	failed=$((failed + 1))
	echo "--- last 60 console lines ($log) ---"
	tail -n 60 "$console"
	echo "---"
fi
echo "guest-$topology: ran in ${secs}s, console in ${log#"$top"/}"
echo "guest-$topology: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
