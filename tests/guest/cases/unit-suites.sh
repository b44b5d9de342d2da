#!/bin/sh
# topology: plain cxl hmat
# timeout: 240
# Every unit suite (tests/unit, the ASan+UBSan build from build/asan/tests, in /unit) runs
# inside the guest, on kernel 6.1 or 6.12 with 2-3 nodes: a suite must not assume the host's
# kernel or node count. Fixtures are in /fixtures. Each failed check and each SKIP line is
# shown on the host (CXLTEST-SHOW), the case fails naming the failed tests. With CI set
# (cxltest.ci=1) a SKIP fails the case: the guest is where host skips are proven.
# Leak checking is off here (LeakSanitizer at every forked test's exit makes the run ~5x
# slower under TCG); the host's `make unit` checks leaks.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

set -- /unit/test_*
[ -x "$1" ] || fail "no unit suites in /unit (build them: make unit, then rebuild the initramfs)"
# hugetlb: reserve a few huge pages so test_residency's hugetlb check runs here
echo 8 >/proc/sys/vm/nr_hugepages 2>/dev/null || true
echo "nr_hugepages: $(cat /proc/sys/vm/nr_hugepages 2>/dev/null)"
# TCG runs ASan code 10-50x slower than the host, more under load: Check's 4 s per test
# (what the host keeps to) would time out slow-but-correct tests (test_parse_64k_lines)
export CK_FORK=yes CXLPOLICY_FIXTURES=/fixtures CK_TIMEOUT_MULTIPLIER=8
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1
bad=
total=0
for t in "$@"; do
	name=${t##*/}
	start=$(cut -d' ' -f1 /proc/uptime)
	out=$(cd / && "$t" 2>&1)
	rc=$?
	echo "== $name (exit $rc, $(awk -v s="$start" '{ printf "%.1f", $1 - s }' /proc/uptime)s)"
	echo "$out"
	# Check's CK_NORMAL output: "NN%: Checks: C, Failures: F, Errors: E", then one
	# "file:line:F|E:tcase:test:iter: message" line per failed test.
	summary=$(echo "$out" | grep -o 'Checks: [0-9]*, Failures: [0-9]*, Errors: [0-9]*')
	checks=$(echo "$summary" | sed 's/Checks: \([0-9]*\).*/\1/')
	total=$((total + ${checks:-0}))
	if skips=$(echo "$out" | grep '^SKIP '); then
		echo "$skips" | sed "s/^/CXLTEST-SHOW unit-suites: $CXLTEST_TOPOLOGY $name: /"
		[ -n "${CI:-}" ] && bad="$bad $(echo "$skips" | awk -v n="$name" '{ sub(":", "", $2); printf "%s:%s(SKIP) ", n, $2 }')"
	fi
	if [ -z "$summary" ]; then
		echo "CXLTEST-SHOW unit-suites: $CXLTEST_TOPOLOGY $name: no Check summary (exit $rc): $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		bad="$bad $name"
		continue
	fi
	fails=$(echo "$out" | grep -E '^[^ :]+:[0-9]+:[EF]:')
	if [ -n "$fails" ]; then
		echo "$fails" | sed "s/^/CXLTEST-SHOW unit-suites: $CXLTEST_TOPOLOGY /"
		bad="$bad $(echo "$fails" | awk -F: -v n="$name" '{ printf "%s:%s ", n, $5 }')"
	elif [ "$rc" -ne 0 ]; then
		echo "CXLTEST-SHOW unit-suites: $CXLTEST_TOPOLOGY $name: exit $rc with every check passing"
		bad="$bad $name"
	fi
done
echo "unit-suites: $total checks in $# suites"
[ -z "$bad" ] || fail "failed:$bad"
