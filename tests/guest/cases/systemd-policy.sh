#!/bin/sh
# topology: systemd
# units_policy_name(): X-CXLPolicy= carried on a slice, read from the fragment and drop-ins
# systemd reports (FragmentPath, DropInPaths): a drop-in overrides the fragment, a later
# empty assignment resets it, the example slice of deploy/systemd gives "batch", a slice
# without the key or not loaded gives none; a malformed drop-in (bad value, wrong section)
# and one writable by others are refused, each with an error naming the file and line.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

d=/etc/systemd/system
cleanup() {
	systemctl stop cxltest-p.slice batch.slice 2>/dev/null
	rm -rf "$d/cxltest-p.slice" "$d/cxltest-p.slice.d" "$d/batch.slice"
	systemctl daemon-reload
}
trap cleanup EXIT

# policy UNIT: unitcg policy's output (stdout and stderr), its status in $rc.
policy() {
	out=$(unitcg policy "$1" 2>&1)
	rc=$?
	echo "policy $1: $out (exit $rc)"
}
reload() {
	must systemctl daemon-reload
}

printf '[Unit]\nDescription=cxltest policy slice\nX-CXLPolicy=batch\n\n[Slice]\nCPUWeight=50\n' >"$d/cxltest-p.slice"
reload
policy cxltest-p.slice
[ "$out" = - ] && [ $rc -eq 0 ] || fail "a slice systemd has not loaded: '$out', expected none"
must systemctl start cxltest-p.slice
policy cxltest-p.slice
[ "$out" = batch ] || fail "from the fragment: '$out', expected batch"

mkdir -p "$d/cxltest-p.slice.d"
printf '# the policy of this slice\n[Unit]\nX-CXLPolicy=web\n' >"$d/cxltest-p.slice.d/cxlpolicy.conf"
reload
systemctl show -P DropInPaths cxltest-p.slice
policy cxltest-p.slice
[ "$out" = web ] || fail "drop-in over fragment: '$out', expected web"

printf '[Unit]\nX-CXLPolicy=\n' >"$d/cxltest-p.slice.d/zz-reset.conf"
reload
policy cxltest-p.slice
[ "$out" = - ] && [ $rc -eq 0 ] || fail "a later empty X-CXLPolicy= did not reset: '$out'"
rm "$d/cxltest-p.slice.d/zz-reset.conf"

# Malformed drop-ins are refused, naming file and line.
printf '[Unit]\nX-CXLPolicy=Web Tier\n' >"$d/cxltest-p.slice.d/cxlpolicy.conf"
reload
policy cxltest-p.slice
[ $rc -ne 0 ] || fail "a bad policy name was accepted: $out"
echo "$out" | grep -q "cxltest-p.slice.d/cxlpolicy.conf:2: X-CXLPolicy=\"Web Tier\" is not a policy name" ||
	fail "bad value: unclear error: $out"
printf '[Slice]\nX-CXLPolicy=web\n' >"$d/cxltest-p.slice.d/cxlpolicy.conf"
reload
policy cxltest-p.slice
[ $rc -ne 0 ] || fail "X-CXLPolicy= in [Slice] was accepted: $out"
echo "$out" | grep -q "cxlpolicy.conf:2: X-CXLPolicy= in \[Slice\] (expected in \[Unit\])" ||
	fail "wrong section: unclear error: $out"
printf '[Unit]\nX-CXLPolicy=web\n' >"$d/cxltest-p.slice.d/cxlpolicy.conf"
chmod 0666 "$d/cxltest-p.slice.d/cxlpolicy.conf"
reload
policy cxltest-p.slice
[ $rc -ne 0 ] || fail "a world-writable drop-in was accepted: $out"
echo "$out" | grep -q "cxlpolicy.conf: owned by uid 0 with mode 0666" || fail "unsafe file: unclear error: $out"
chmod 0644 "$d/cxltest-p.slice.d/cxlpolicy.conf"
policy cxltest-p.slice
[ "$out" = web ] || fail "after chmod 0644: '$out', expected web"

# The example slice shipped in deploy/systemd.
cp /deploy/example-batch.slice "$d/batch.slice"
reload
must systemctl start batch.slice
policy batch.slice
[ "$out" = batch ] || fail "deploy/systemd/example-batch.slice: '$out', expected batch"
policy -.slice
[ "$out" = - ] && [ $rc -eq 0 ] || fail "-.slice: '$out', expected none"
