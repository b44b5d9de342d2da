#!/bin/sh
# topology: systemd
# systemd (the host's, 252 on Debian 12) is PID 1, its boot finished (running, or degraded
# naming the failed units, also after a transient service pulled in sysinit.target), it
# mounted the cgroup2 hierarchy itself (nsdelegate: /init does not mount it on this
# topology) and the cpuset controller is available there; systemd logged no warning about
# the guest's own units. Shows the boot time (systemd-analyze), the warnings journald holds
# and which controllers systemd enabled at the root.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

comm=$(cat /proc/1/comm)
[ "$comm" = systemd ] || fail "PID 1 is $comm, not systemd"
echo "PID 1: $(readlink /proc/1/exe)"

# A transient service with default dependencies pulls in sysinit.target and basic.target:
# whatever of theirs can fail here fails now, before the state is read.
must systemd-run --quiet --unit=cxltest-deps true # (--wait needs a D-Bus daemon)
# cxltest.service is Type=idle, so the boot job finishes while it runs; wait for that.
i=0
while state=$(systemctl is-system-running 2>&1); [ "$state" = starting ] || [ "$state" = initializing ]; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "systemctl is-system-running still says $state after 20 s"
	sleep 0.2
done
failed=$(systemctl list-units --state=failed --no-legend --plain 2>&1 | awk '{ print $1 }' | tr '\n' ' ')
case $state in
running) ;;
degraded) echo "CXLTEST-SHOW systemd-pid1: degraded, failed units: $failed" ;;
*) fail "systemctl is-system-running: $state (failed units: $failed)" ;;
esac
echo "CXLTEST-SHOW systemd-pid1: is-system-running=$state; $(systemd-analyze time 2>&1 | head -n 1)"

mnt=$(awk '$5 == "/sys/fs/cgroup" { print $0 }' /proc/self/mountinfo)
echo "mountinfo: $mnt"
echo "$mnt" | grep -q ' - cgroup2 ' || fail "/sys/fs/cgroup is not cgroup2: $mnt"
echo "$mnt" | grep -q nsdelegate || fail "/sys/fs/cgroup not mounted by systemd (no nsdelegate): $mnt"
controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
grep -qw cpuset /sys/fs/cgroup/cgroup.controllers || fail "no cpuset in cgroup.controllers: $controllers"
echo "CXLTEST-SHOW systemd-pid1: controllers: $controllers; root subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
own=$(cut -d: -f3 /proc/self/cgroup)
[ "$own" = /system.slice/cxltest.service ] || fail "this case runs in $own, not /system.slice/cxltest.service"

warnings=$(journalctl -b -p warning --no-pager -q -o cat 2>&1)
echo "journal warnings: $warnings"
echo "CXLTEST-SHOW systemd-pid1: journal warnings: $(echo "$warnings" | tr '\n' ';')"
if echo "$warnings" | grep -q cxltest; then
	fail "systemd warned about the guest's units: $(echo "$warnings" | grep cxltest | head -n 2 | tr '\n' ' ')"
fi
