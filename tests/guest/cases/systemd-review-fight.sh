#!/bin/sh
# topology: systemd
# timeout: 150
# Hostile review of issue 8: systemd owns the cgroup tree. When it realizes a slice (a unit
# started in it, daemon-reload) it writes cgroup.subtree_control from its own masks and
# turns off controllers it does not want ("-cpuset"), so the cpuset.mems the daemon wrote
# into the slice's children vanish (cpuset.mems.effective falls back to the parent's).
# The daemon re-enables and rewrites on its next tick, each time with a whole-host repair
# sweep: the two fight for as long as units start. Expected: governed cgroups keep the
# policy's mems across unit starts and daemon-reloads (e.g. the daemon sets
# AllowedMemoryNodes= on the units over D-Bus, so systemd itself keeps cpuset on).
# shellcheck source=../caselib.sh
. /etc/caselib.sh

cleanup() {
	systemctl stop cxltest-r1.service cxltest-r2.service cxltest-r3.service 2>/dev/null
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null
}
trap cleanup EXIT
slice=/sys/fs/cgroup/cxltest.slice/cxltest-r.slice
must systemd-run --slice=cxltest-r.slice --unit=cxltest-r1 sleep 1000
cat >/tmp/review-fight.json <<JSON
{"version": 1, "policies": [{"name": "narrow", "match": {"cgroup": "cxltest.slice/cxltest-r.slice/**"},
  "mems": [0], "exec": {"interval": "1s"}}]}
JSON
mkdir -p /tmp/pol-review-fight.d
cp /tmp/review-fight.json /tmp/pol-review-fight.d/narrow.json
daemon_start /tmp/pol-review-fight.d
r1=$slice/cxltest-r1.service
ok() { [ "$(cat "$r1/cpuset.mems.effective" 2>/dev/null)" = 0 ]; }
wait_until 10 "r1 narrowed to node 0" ok || fail "r1 never narrowed: $(cat "$r1/cpuset.mems.effective" 2>&1)"
echo "slice subtree_control: $(cat "$slice/cgroup.subtree_control")"
lost=""
for u in cxltest-r2 cxltest-r3; do
	systemd-run --slice=cxltest-r.slice --unit=$u sleep 1000 >/dev/null 2>&1 || fail "systemd-run $u failed"
	eff=$(cat "$r1/cpuset.mems.effective" 2>/dev/null)
	echo "after starting $u: slice subtree_control '$(cat "$slice/cgroup.subtree_control")', r1 mems.effective '$eff'"
	[ "$eff" = 0 ] || lost="$lost $u"
	sleep 2
done
systemctl daemon-reload
eff=$(cat "$r1/cpuset.mems.effective" 2>/dev/null)
echo "after daemon-reload: slice subtree_control '$(cat "$slice/cgroup.subtree_control")', r1 mems.effective '$eff'"
[ "$eff" = 0 ] || lost="$lost daemon-reload"
sleep 2
writes=$(grep -c "cpuset.mems set to 0 policy=narrow cgroup=cxltest.slice/cxltest-r.slice/cxltest-r1.service" /tmp/cxlpolicyd.log)
repairs=$(grep -c "repair sweep" /tmp/cxlpolicyd.log)
echo "CXLTEST-SHOW review-fight: r1's cpuset.mems written $writes times, $repairs repair sweeps, lost after:${lost:- nothing}"
[ -z "$lost" ] || fail "r1's cpuset.mems (policy: 0) was undone by systemd after:$lost; the daemon wrote it $writes times ($repairs whole-host repair sweeps)"
[ "$writes" -le 1 ] || fail "the daemon had to write r1's cpuset.mems $writes times"
daemon_stop
