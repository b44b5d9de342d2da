#!/bin/sh
# topology: plain cxl hmat
# timeout: 240
# cxlpolicyd under fire (issue 8): sweeps run back to back (100 ms interval, a full sweep
# every time) over 120 processes; SIGHUP in the middle of a sweep reloads a changed file and
# keeps running; a governed cgroup whose processes are killed and which is removed while a
# sweep runs does not hurt it; SIGTERM in the middle of a sweep stops it cleanly (exit 0,
# "sweep stopped by a signal after K of N processes", no sanitizer report).
# shellcheck source=../caselib.sh
. /etc/caselib.sh

cg=/sys/fs/cgroup/busy.slice
mkdir -p "$cg/a" "$cg/gone"
for i in $(seq 1 80); do
	sleep 100000 &
	echo $! >"$cg/a/cgroup.procs"
done
for i in $(seq 1 40); do
	sleep 100000 &
	echo $! >"$cg/gone/cgroup.procs"
done
mkdir -p /tmp/pol-daemon-signals.d
cat >/tmp/pol-daemon-signals.d/busy.json <<JSON
{"version": 1, "policies": [{"name": "busy", "match": {"cgroup": "busy.slice/**"},
  "mems": ["all"], "exec": {"interval": "100ms"}}]}
JSON
daemon_start /tmp/pol-daemon-signals.d --full-every 1
sweeping() { [ "$(grep -c '[a-z]* sweep: [0-9]* of [0-9]* processes' /tmp/cxlpolicyd.log)" -ge "$1" ]; }
wait_until 30 "sweeps running" sweeping 3 || fail "no sweeps: $(tail -n 5 /tmp/cxlpolicyd.log)"

# SIGHUP mid-sweep, with a changed file: the new set is in force afterwards
sed -i 's/"busy"/"busy2"/' /tmp/pol-daemon-signals.d/busy.json
kill -HUP "$DAEMON_PID"
in_force() { cxlpolicyctl --json status 2>/dev/null | grep -q '"name":"busy2"'; }
wait_until 20 "busy2 in force" in_force || fail "SIGHUP did not reload: $(tail -n 5 /tmp/cxlpolicyd.log)"

# a governed cgroup vanishes while sweeps run
for p in $(cat "$cg/gone/cgroup.procs"); do kill -9 "$p"; done
gone_empty() { [ -z "$(cat "$cg/gone/cgroup.procs")" ]; }
wait_until 10 "gone emptied" gone_empty || fail "processes of gone did not exit"
rmdir "$cg/gone" || fail "cannot remove $cg/gone"
n=$(grep -c '[a-z]* sweep: [0-9]* of [0-9]* processes' /tmp/cxlpolicyd.log)
more_sweeps() { [ "$(grep -c '[a-z]* sweep: [0-9]* of [0-9]* processes' /tmp/cxlpolicyd.log)" -ge $((n + 3)) ]; }
wait_until 30 "sweeps after the removal" more_sweeps || fail "sweeps stopped after the cgroup was removed"
kill -0 "$DAEMON_PID" || fail "cxlpolicyd died"
cxlpolicyctl --json status | grep -q 'busy.slice\\\{0,1\}/gone' && fail "a removed cgroup is still governed"

# SIGTERM mid-sweep: wait for a sweep to start, then stop it
n=$(grep -c '[a-z]* sweep: [0-9]* of [0-9]* processes' /tmp/cxlpolicyd.log)
started() { [ "$(grep -c '[a-z]* sweep: [0-9]* of [0-9]* processes' /tmp/cxlpolicyd.log)" -gt "$n" ]; }
wait_until 10 "a sweep started" started || fail "no new sweep"
daemon_stop
grep 'sweep stopped by a signal\|signal SIGTERM' /tmp/cxlpolicyd.log | tail -n 3
for p in $(cat "$cg/a/cgroup.procs"); do kill -9 "$p"; done
