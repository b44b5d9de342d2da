#!/bin/sh
# topology: plain hmat
# timeout: 120
# Hostile review of issue 8: validation refuses a policy whose mems hold no DRAM node while
# exec migration is on, but nesting gets round it. "outer" (nest.slice/**, mems = the slow
# node, migrate off) and "inner" (nest.slice/web/**, mems dram+cxl, migrate on, the more
# specific) are each valid; the kernel intersects, so nest.slice/web's effective mems are
# the slow node only: its members' memory, code included, is dragged there and "inner" can
# never move the code back. Expected: apply refuses the combination (or at least its plan
# shows nest.slice/web's effective mems after the apply, the slow node, and what that
# narrowing drags), and status flags the cgroup. Observed: the plan says "(inherit) -> 0-1",
# apply succeeds, and status only shows "effective 1, policy 0-1" and a growing
# "no DRAM in cpuset" page count, with no warning.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

trap 'kill "$DAEMON_PID" 2>/dev/null; undrag /sys/fs/cgroup/nest.slice' EXIT

place_copy /tmp/w 0
mkdir -p /sys/fs/cgroup/nest.slice/web
wl_start web /tmp/w --heap-kb 64
echo "$WL_PID" >/sys/fs/cgroup/nest.slice/web/cgroup.procs || fail "cannot move $WL_PID"
daemon_start /tmp/pol-review-nested-no-dram.d
cat >/tmp/nest.json <<JSON
{"version": 1, "policies": [
  {"name": "outer", "match": {"cgroup": "nest.slice/**"}, "mems": [$SLOW], "exec": {"migrate": false, "interval": "1s"}},
  {"name": "inner", "match": {"cgroup": "nest.slice/web/**"}, "mems": ["dram", "cxl"], "exec": {"migrate": true, "interval": "1s"}}]}
JSON
out=$(cxlpolicyctl apply /tmp/nest.json 2>&1)
rc=$?
echo "$out"
[ $rc -ne 0 ] && exit 0 # refused: fine
sleep 3
eff=$(cat /sys/fs/cgroup/nest.slice/web/cpuset.mems.effective)
wl_cmd web report
echo "web (effective mems $eff): $WL_REPLY"
st=$(cxlpolicyctl status 2>&1)
echo "$st" | sed -n '/^nest.slice\/web/,+5p'
echo "$st" | grep -i "warning" 
if [ "$eff" = "$SLOW" ] && ! echo "$st" | grep -i "nest.slice/web" | grep -qi "warn\|dram\|effective.*no"; then
	fail "nest.slice/web is governed by migrating policy inner but its effective mems are $eff (no DRAM): its code is on node $SLOW for good ($WL_REPLY); apply accepted it with a plan of 0-1 and status has no warning for it"
fi
wl_quit web
daemon_stop
