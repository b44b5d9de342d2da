#!/bin/sh
# topology: plain cxl hmat
# The guest has the expected nodes, the project binaries run, and the workload reports
# its own pages.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

want=0-1
[ "$CXLTEST_TOPOLOGY" = cxl ] && want=0-2
online=$(cat /sys/devices/system/node/online)
[ "$online" = "$want" ] || fail "online nodes $online, expected $want"
[ -z "$(cat /sys/devices/system/node/node"$SLOW"/cpulist)" ] || fail "node $SLOW has CPUs"

must cxlpolicyctl nodes
wl_start smoke /bin/workload --heap-kb 64
wl_cmd smoke report
rep=$WL_REPLY
echo "$rep"
[ "$(field "$rep" heap_node0)" = 16 ] || fail "heap not on node 0: $rep"
wl_quit smoke
