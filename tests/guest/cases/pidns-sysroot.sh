#!/bin/sh
# topology: plain cxl hmat
# Issue 7 item 6 (--sysroot from another pid namespace): a procfs mounted by a process in a
# child pid namespace numbers processes differently (its pid 1 is a textmap process, not
# init), so pids read there would make move_pages() reach other processes. scan and migrate
# with that sysroot must refuse with exit 2 and a message naming hostPID; the same tree
# with this namespace's /proc must work (exit 0).
# Before the rewrite: scanned pid 1 of the child's procfs and queried/moved host pid 1.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

make_text /tmp/ns.text 16 "$SLOW"
sr=/tmp/pidns-root
mkdir -p "$sr/proc" "$sr/sys" /tmp/host-root/proc /tmp/host-root/sys
must mount --bind /sys "$sr/sys"
must mount --bind /sys /tmp/host-root/sys
must mount --bind /proc /tmp/host-root/proc
wl_start ns unshare -p -f sh -c "mount -t proc proc $sr/proc && exec /bin/textmap --file /tmp/ns.text"
[ "$WL_PID" = 1 ] || fail "setup: textmap is pid $WL_PID in its namespace, expected 1"
echo "child namespace's procfs:" "$sr"/proc/[0-9]*

for verb in scan migrate; do
	rc=0
	out=$(cxlpolicyctl --sysroot "$sr" --json $verb --all 2>/tmp/ns.err) || rc=$?
	echo "$verb --sysroot $sr: rc=$rc stderr: $(cat /tmp/ns.err)"
	echo "CXLTEST-SHOW pidns-sysroot ($CXLTEST_TOPOLOGY): $verb with another pid namespace's /proc exits $rc"
	[ "$rc" = 2 ] || fail "$verb --all with another pid namespace's procfs exited $rc, expected 2: $(echo "$out" | cut -c1-300)"
	grep -q hostPID /tmp/ns.err || fail "$verb: the message does not name hostPID: $(cat /tmp/ns.err)"
done
rc=0
out=$(cxlpolicyctl --sysroot /tmp/host-root --json scan --pid "$$") || rc=$?
[ "$rc" = 0 ] || fail "control: scan with this namespace's /proc under a sysroot exited $rc"
wl_quit ns
umount "$sr/proc" "$sr/sys" /tmp/host-root/proc /tmp/host-root/sys
