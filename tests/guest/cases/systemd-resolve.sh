#!/bin/sh
# topology: systemd
# units_resolve() (cmd/cxlpolicyd/units.c, through build/guest/unitcg) against the real
# systemd: a transient service in a nested slice resolves to the cgroup /proc/PID/cgroup
# shows, the slice to its own, -.slice to the root (""), a unit systemd never loaded to none
# ("-"), and so does the service once stopped and unloaded; an invalid name is refused.
# The connection is systemd's private socket (the guest has no dbus).
# shellcheck source=../caselib.sh
. /etc/caselib.sh

cleanup() {
	systemctl stop cxltest-x.service 2>/dev/null
}
trap cleanup EXIT

bus=$(unitcg bus 2>&1) || fail "units_bus_open: $bus"
[ "$bus" = private ] || fail "connected over '$bus', expected systemd's private socket (no dbus here)"

must systemd-run --quiet --slice=cxltest-a.slice --unit=cxltest-x sleep 1000
pid=$(systemctl show -P MainPID cxltest-x.service)
[ "${pid:-0}" -gt 0 ] || fail "cxltest-x.service has no MainPID"
proc=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
echo "/proc/$pid/cgroup: $proc"
[ "$proc" = /cxltest.slice/cxltest-a.slice/cxltest-x.service ] ||
	fail "systemd put pid $pid in $proc"

out=$(unitcg resolve cxltest-x.service cxltest-a.slice cxltest-none.service -.slice init.scope 2>&1) ||
	fail "unitcg resolve: $out"
echo "$out"
line() {
	echo "$out" | sed -n "$1p"
}
[ "$(line 1)" = "cxltest-x.service ${proc#/}" ] || fail "service: '$(line 1)', expected '${proc#/}' (/proc/$pid/cgroup)"
[ "$(line 2)" = "cxltest-a.slice cxltest.slice/cxltest-a.slice" ] || fail "slice: '$(line 2)'"
[ "$(line 3)" = "cxltest-none.service -" ] || fail "a unit never loaded: '$(line 3)', expected none"
[ "$(line 4)" = "-.slice " ] || fail "-.slice: '$(line 4)', expected the root (empty path)"
[ "$(line 5)" = "init.scope init.scope" ] || fail "init.scope: '$(line 5)'"
[ "$(sed -n 's/^0:://p' /proc/1/cgroup)" = /init.scope ] || fail "PID 1 is not in /init.scope"

# Stopped, the transient unit is unloaded: no cgroup.
must systemctl stop cxltest-x.service
i=0
while out=$(unitcg resolve cxltest-x.service 2>&1) && [ "$out" != "cxltest-x.service -" ]; do
	i=$((i + 1))
	[ $i -le 50 ] || fail "stopped cxltest-x.service still resolves: $out"
	sleep 0.1
done
[ "$out" = "cxltest-x.service -" ] || fail "after stop: $out"

if out=$(unitcg resolve cxltest-x.service 'bad/name.service' 2>&1); then
	fail "an invalid unit name was accepted: $out"
fi
echo "$out"
echo "$out" | grep -q 'invalid unit name "bad/name.service"' || fail "invalid name: unclear error: $out"
