#!/bin/sh
# topology: cxl
# Why the project exists: code executed from the emulated CXL node runs far slower than
# from DRAM (under TCG every instruction fetch from the device is an emulated access).
# The binary's page cache is filled on the CXL node, the process runs unbound (stack and
# heap on node 0), so only the text placement differs between the two measurements.
# After `migrate --pid` the same hot loop must run at least 100x faster.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

place_copy /tmp/w "$SLOW"
wl_start sp /tmp/w --heap-kb 64
wl_cmd sp report
[ "$(field "$WL_REPLY" "text_node$SLOW")" = "$(field "$WL_REPLY" text_pages)" ] ||
	fail "setup: text not on node $SLOW: $WL_REPLY"
wl_cmd sp "spin 20"
slow=$(field "$WL_REPLY" ns_per_round)
echo "text on node $SLOW: $WL_REPLY"
must cxlpolicyctl migrate --pid "$WL_PID"
wl_cmd sp report
echo "$WL_REPLY"
wl_cmd sp "spin 2000" # warm-up: TCG translates the moved code once
wl_cmd sp "spin 20000"
fast=$(field "$WL_REPLY" ns_per_round)
echo "text on node 0: $WL_REPLY"
ratio=$(awk -v s="$slow" -v f="$fast" 'BEGIN { printf "%d", (f > 0 ? s / f : 0) }')
echo "CXLTEST-SHOW hot loop: ${slow} ns/round with text on CXL node $SLOW, ${fast} ns/round on DRAM node 0 (${ratio}x)"
[ "$ratio" -ge 100 ] || fail "text on DRAM only ${ratio}x faster than on CXL, expected >= 100x"
wl_quit sp
