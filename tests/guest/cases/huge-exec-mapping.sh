#!/bin/sh
# topology: plain cxl hmat
# Issue 7 item 11 (an unprivileged process could stall root's sweep): a process running as
# uid 65534 maps 1 TiB PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE and
# touches nothing; a second one maps it writable too and touches 2 pages. `scan --pid` must
# finish within 20 s each (the work follows resident pages, not the mapping's size) and
# report resident 0 (on kernels without PAGEMAP_SCAN: skipped_empty) and 2.
# Before the rewrite scan asked move_pages about all 268 M pages: minutes under TCG.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

bound=20
for touch in 0 2; do
	name=huge$touch
	if [ $touch = 0 ]; then
		wl_start $name /bin/textmap --user 65534 --anon-gib 1024
	else
		wl_start $name /bin/textmap --user 65534 --anon-gib 1024 --anon-touch $touch
	fi
	echo "$name: $(grep '^Uid:' "/proc/$WL_PID/status")"
	start=$(uptime_s)
	rc=0
	# The scanner's own memory on node 0: under TCG the emulated CXL window is MMIO, ~1000x
	# slower, and a pagemap buffer that lands there measures QEMU, not the scan (seen: 0.7 s
	# on plain, > 20 s on cxl when node 0 had filled up).
	out=$(timeout -s KILL $bound cxlpolicyctl run --membind 0 -- \
		cxlpolicyctl --json scan --pid "$WL_PID") || rc=$?
	secs=$(secs_since "$start")
	big=$(jmappings "$out" | grep '"kind":"anon"' | grep '"pages":268435456')
	echo "$name: scan rc=$rc in ${secs}s: $big"
	resident=$(jnum "$big" resident)
	skipped=$(echo "$big" | grep -o '"skipped_empty":[a-z]*' | cut -d: -f2)
	echo "CXLTEST-SHOW huge-exec-mapping ($CXLTEST_TOPOLOGY): 1 TiB exec mapping, $touch pages touched: scan took ${secs}s (bound ${bound}s), exit $rc, resident=${resident:-?} skipped_empty=${skipped:-absent} maps_method/residency: $(echo "$out" | grep -o '"maps_method":"[a-z_]*"'),$(echo "$out" | grep -o '"residency_method":"[a-z_]*"')"
	[ "$rc" != 137 ] || fail "scan of a 1 TiB mapping with $touch resident pages did not finish in ${bound}s"
	[ "$rc" = 0 ] || fail "scan exited $rc"
	[ -n "$big" ] || fail "scan shows no 1 TiB anon exec mapping"
	huge=$(jnum "$big" huge)
	if [ "${huge:-0}" -gt 0 ]; then
		# a kernel with THP for anonymous memory backs the touched pages with 2 MiB pages:
		# resident is then what the kernel holds, every page of it reported as huge
		[ "$resident" = "$huge" ] || fail "resident=$resident but huge=$huge"
		[ "$resident" -le $((touch * 512)) ] || fail "resident=$resident for $touch touched pages"
		echo "huge-exec-mapping: $touch touched pages backed by THP: $resident base pages, all huge"
	else
		[ "$resident" = $touch ] || fail "resident=$resident, expected $touch"
	fi
	# without PAGEMAP_SCAN a touched 1 TiB mapping is walked only up to the budget, and says so
	if [ $touch != 0 ] && echo "$out" | grep -q '"residency_method":"pagemap"'; then
		echo "$big" | grep -q '"walk_truncated":true' || fail "pagemap walk of 1 TiB not cut at the budget: $big"
	fi
	wl_quit $name
done
