#!/bin/sh
# topology: plain hmat
# timeout: 120
# Hostile review of issue 8, cost: new child cgroups under a governed slice whose policy
# allows every node (no narrowing possible: cpuset.mems.effective does not change) each
# get cpuset.mems written, and every such write triggers a repair sweep of EVERY process
# on the host. Under job churn (a scope per job, a pod per minute) the daemon re-scans the
# whole machine on each tick. Expected: no repair sweep when the write narrows nothing
# (the effective set is unchanged, so nothing can have been dragged).
# shellcheck source=../caselib.sh
. /etc/caselib.sh

cg=/sys/fs/cgroup/churn.slice
mkdir -p "$cg"
daemon_start /tmp/pol-review-repair-churn.d
cat >/tmp/churn.json <<JSON
{"version": 1, "policies": [{"name": "churn", "match": {"cgroup": "churn.slice/**"},
  "mems": ["dram", "cxl"], "exec": {"migrate": true, "interval": "1s"}}]}
JSON
out=$(cxlpolicyctl apply /tmp/churn.json) || fail "apply exited $?: $out"
sleep 2
before=$(grep -c 'repair sweep' /tmp/cxlpolicyd.log)
for j in 1 2 3 4 5; do
	mkdir "$cg/job$j"
	sleep 1.2
done
sleep 1.5
after=$(grep -c 'repair sweep' /tmp/cxlpolicyd.log)
grep 'repair sweep\|cpuset.mems set' /tmp/cxlpolicyd.log | tail -n 12
eff=$(cat "$cg/job5/cpuset.mems.effective")
echo "CXLTEST-SHOW repair-churn: 5 new job cgroups (effective mems $eff, as their parent's) -> $((after - before)) whole-host repair sweeps"
[ "$((after - before))" = 0 ] || fail "$((after - before)) whole-host repair sweeps for 5 new cgroups whose cpuset.mems write narrowed nothing"
daemon_stop
