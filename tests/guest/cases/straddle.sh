#!/bin/sh
# topology: plain cxl hmat
# A binary whose text pages were written half while bound to node 0 and half while bound
# to the slow node: `scan --json` marks that text mapping "straddle":true (and agrees with
# the workload's own count), and a mapping that sits on one node is not marked.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

# Where the text segment sits in the file: the r-xp line of a copy run from the rootfs.
wl_start probe /bin/workload --heap-kb 4
line=$(grep ' r-xp .*/bin/workload$' "/proc/$WL_PID/maps") || fail "no r-xp line for /bin/workload"
wl_quit probe
range=${line%% *}
off=$((0x$(echo "$line" | cut -d' ' -f3) / 4096))
pages=$(((0x${range#*-} - 0x${range%-*}) / 4096))
half=$((off + pages / 2))
echo "text: file pages $off..$((off + pages - 1)); first $half pages on node 0, rest on node $SLOW"

rm -f /tmp/s
must cxlpolicyctl run --membind 0 -- dd if=/bin/workload of=/tmp/s bs=4096 count="$half"
must cxlpolicyctl run --membind "$SLOW" -- dd if=/bin/workload of=/tmp/s bs=4096 \
	skip="$half" seek="$half" conv=notrunc
cmp /bin/workload /tmp/s || fail "/tmp/s differs from /bin/workload"
chmod +x /tmp/s

wl_start st /tmp/s --heap-kb 4
wl_cmd st report
rep=$WL_REPLY
echo "$rep"
n0=$(field "$rep" text_node0)
ns=$(field "$rep" "text_node$SLOW")
[ "$n0" -gt 0 ] || fail "setup: no text page on node 0: $rep"
[ "$ns" -gt 0 ] || fail "setup: no text page on node $SLOW: $rep"

out=$(cxlpolicyctl --json scan --pid "$WL_PID") || fail "scan --pid exited $?: $out"
m=$(jmappings "$out" | grep '"perms":"r-xp","path":"/tmp/s"') || fail "scan: no r-xp mapping of /tmp/s: $out"
echo "$m"
echo "$m" | grep -q '"straddle":true' || fail "scan: /tmp/s text not marked straddle: $m"
echo "$m" | grep -q "\"nodes\":{\"0\":$n0,\"$SLOW\":$ns}" ||
	fail "scan: /tmp/s nodes differ from the workload's own count (0:$n0 $SLOW:$ns): $m"
libc=$(jmappings "$out" | grep '"perms":"r-xp","path":"[^"]*libc\.so') || fail "scan: no libc text mapping"
echo "$libc" | grep -q '"straddle":false' || fail "scan: libc text (all on node 0) marked straddle: $libc"
[ "$(jnum "$out" straddling_mappings)" = 1 ] ||
	fail "scan: straddling_mappings=$(jnum "$out" straddling_mappings), expected 1"
wl_quit st
