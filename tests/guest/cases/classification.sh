#!/bin/sh
# topology: plain cxl
# `cxlpolicyctl nodes`: node 0 is dram; node 1 (CPU-less RAM) is cxl by the cpu-less rule;
# in the cxl topology node 2 is cxl with dax/region/tier evidence.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

table=$(cxlpolicyctl nodes) || fail "cxlpolicyctl nodes exited $?"
echo "$table"
if [ "$CXLTEST_TOPOLOGY" = cxl ]; then
	echo "$table" | sed 's/^/CXLTEST-SHOW /'
fi
json=$(cxlpolicyctl --json nodes) || fail "cxlpolicyctl --json nodes exited $?"
echo "$json"

# The table's CLASS column.
class_of() {
	echo "$table" | awk -v n="$1" '$1 == n { print $2 }'
}
[ "$(class_of 0)" = dram ] || fail "table: node 0 class '$(class_of 0)', expected dram"
[ "$(class_of 1)" = cxl ] || fail "table: node 1 class '$(class_of 1)', expected cxl"

node_json() {
	jnodes "$json" | grep "^{\"node\":$1,"
}
n0=$(node_json 0)
n1=$(node_json 1)
echo "$n0" | grep -q '"class":"dram"' || fail "json: node 0 is not dram: $n0"
echo "$n1" | grep -q '"class":"cxl"' || fail "json: node 1 is not cxl: $n1"
echo "$n1" | grep -q '"evidence":\[[^]]*"cpu-less' || fail "json: node 1 lacks cpu-less evidence: $n1"
echo "$n1" | grep -q '"evidence":\[[^]]*"dax' && fail "json: node 1 has dax evidence: $n1"
echo "$json" | grep -q '"dram_nodes":"0"' || fail "json: dram_nodes is not \"0\""

if [ "$CXLTEST_TOPOLOGY" = plain ]; then
	echo "$json" | grep -q '"cxl_nodes":"1"' || fail "json: cxl_nodes is not \"1\""
	exit 0
fi

# The guest's own view, independent of the CLI: dax0.0 feeds node 2, which sits in a lower tier.
[ "$(cat /sys/bus/dax/devices/dax0.0/target_node)" = 2 ] || fail "sysfs: dax0.0 target_node is not 2"
grep -qx 2 /sys/devices/virtual/memory_tiering/memory_tier22/nodelist ||
	fail "sysfs: node 2 not in memory_tier22"

[ "$(class_of 2)" = cxl ] || fail "table: node 2 class '$(class_of 2)', expected cxl"
n2=$(node_json 2)
echo "$n2" | grep -q '"class":"cxl"' || fail "json: node 2 is not cxl: $n2"
echo "$n2" | grep -q '"evidence":\["dax[^"]*dax0\.0[^"]*target_node=2[^"]*region0' ||
	fail "json: node 2's first evidence is not dax0.0 target_node=2 via region0: $n2"
echo "$n2" | grep -q '"tier[^"]*memory_tier22[^"]*memory_tier4' ||
	fail "json: node 2 lacks memory_tier22-below-memory_tier4 evidence: $n2"
echo "$json" | grep -q '"cxl_nodes":"1-2"' || fail "json: cxl_nodes is not \"1-2\""
