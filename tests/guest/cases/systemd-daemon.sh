#!/bin/sh
# topology: systemd
# timeout: 240
# cxlpolicyd as the systemd service of deploy/systemd (issue 8), under the real systemd:
# Type=notify reaches active (READY=1) and StatusText carries the STATUS= line; the watchdog
# (WatchdogSec=3s in a drop-in) does not fire while it runs; a policy naming a unit governs
# that service's cgroup (resolved over sd-bus); a slice carrying X-CXLPolicy= in a drop-in
# governs its cgroup with the policy named there; the journal entries carry POLICY= and
# CGROUP=; `cxlpolicyctl apply` writes into /etc/cxlpolicy/policies.d despite
# ProtectSystem=strict; `systemctl reload` (SIGHUP) and `systemctl stop` are clean.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

d=/etc/systemd/system
cleanup() {
	systemctl stop cxltest-web.service cxltest-cc.service cxlpolicyd.service 2>/dev/null
	rm -rf "$d/cxlpolicyd.service" "$d/cxlpolicyd.service.d" "$d/cxltest-c.slice" /etc/cxlpolicy
	systemctl daemon-reload
}
trap cleanup EXIT

mkdir -p /usr/local/bin /etc/cxlpolicy/policies.d
ln -sf /bin/cxlpolicyd /usr/local/bin/cxlpolicyd
cp /deploy/cxlpolicyd.service "$d/"
mkdir -p "$d/cxlpolicyd.service.d"
printf '[Service]\nWatchdogSec=3s\nExecStart=\nExecStart=/usr/local/bin/cxlpolicyd --log-level info\n' \
	>"$d/cxlpolicyd.service.d/test.conf"
cat >/etc/cxlpolicy/policies.d/units.json <<JSON
{"version": 1, "policies": [
  {"name": "svc", "match": {"unit": "cxltest-web.service"}, "mems": ["all"], "exec": {"interval": "1s"}},
  {"name": "carried", "match": {"cgroup": "no-such.slice"}, "mems": ["all"], "exec": {"interval": "1s"}}]}
JSON
printf '[Unit]\nDescription=cxltest carried policy\nX-CXLPolicy=carried\n' >"$d/cxltest-c.slice"
must systemctl daemon-reload
must systemctl start cxlpolicyd.service
[ "$(systemctl show -P ActiveState cxlpolicyd.service)" = active ] || fail "not active after start"
st=$(systemctl show -P StatusText cxlpolicyd.service)
echo "StatusText: $st"
echo "$st" | grep -q "policies" || fail "no STATUS= line: '$st'"
echo "CXLTEST-SHOW systemd StatusText: $st"

must systemd-run --unit=cxltest-web sleep 100000
must systemd-run --slice=cxltest-c --unit=cxltest-cc sleep 100000
governed() { cxlpolicyctl --json status | grep -q "$1"; }
wait_until 20 "cxltest-web.service governed" governed '"cgroup":"system.slice\\\{0,1\}/cxltest-web.service","policy":"svc"' ||
	fail "the unit's cgroup is not governed by svc: $(cxlpolicyctl status)"
wait_until 20 "cxltest-c.slice governed" governed '"cgroup":"cxltest.slice\\\{0,1\}/cxltest-c.slice","policy":"carried"' ||
	wait_until 5 "cxltest-c.slice governed" governed '"cgroup":"cxltest-c.slice","policy":"carried"' ||
	fail "the slice carrying X-CXLPolicy=carried is not governed by it: $(cxlpolicyctl status)"
cxlpolicyctl status | grep -q 'X-CXLPolicy=carried on cxltest-c.slice' || fail "status does not say the slice carries the policy"
cxlpolicyctl status | sed 's/^/CXLTEST-SHOW   /' | head -n 20

journalctl -u cxlpolicyd.service -o json --no-pager | grep -q '"POLICY":"svc"' ||
	fail "no journal entry with POLICY=svc: $(journalctl -u cxlpolicyd.service --no-pager | tail -n 5)"
journalctl -u cxlpolicyd.service -o json --no-pager | grep -q '"CGROUP":"system.slice/cxltest-web.service"' ||
	fail "no journal entry with CGROUP= of the unit"

cat >/tmp/extra.json <<JSON
{"version": 1, "policies": [{"name": "extra", "match": {"cgroup": "extra.slice/**"}, "mems": ["dram"]}]}
JSON
out=$(cxlpolicyctl apply /tmp/extra.json 2>&1) || fail "apply under ProtectSystem=strict: $out"
[ -f /etc/cxlpolicy/policies.d/extra.json ] || fail "apply did not write the file"

must systemctl reload cxlpolicyd.service
sleep 5 # > WatchdogSec: the watchdog keeps being fed while idle
[ "$(systemctl show -P ActiveState cxlpolicyd.service)" = active ] || fail "not active after reload and 5 s"
[ "$(systemctl show -P NRestarts cxlpolicyd.service)" = 0 ] || fail "restarted (watchdog?)"
must systemctl stop cxlpolicyd.service
[ "$(systemctl show -P Result cxlpolicyd.service)" = success ] || fail "stop result $(systemctl show -P Result cxlpolicyd.service)"
