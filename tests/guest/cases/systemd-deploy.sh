#!/bin/sh
# topology: systemd
# deploy/systemd: systemd-analyze verify accepts cxlpolicyd.service, the example slice and the
# example drop-in, and systemd loads the service with its hardening (the exposure score is
# shown). The daemon binary may not exist yet: a stand-in at /usr/local/bin/cxlpolicyd is
# made for verify when it is missing (said aloud); the service is never started.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

d=/etc/systemd/system
cleanup() {
	rm -rf "$d/cxlpolicyd.service" "$d/web.slice.d" "$d/batch.slice"
	[ -n "${standin:-}" ] && rm -f /usr/local/bin/cxlpolicyd
	systemctl daemon-reload
}
trap cleanup EXIT

if [ ! -x /usr/local/bin/cxlpolicyd ]; then
	mkdir -p /usr/local/bin
	ln -s /bin/true /usr/local/bin/cxlpolicyd
	standin=1
	echo "CXLTEST-SHOW systemd-deploy: no cxlpolicyd binary yet: verified with /bin/true in its place"
fi
cp /deploy/cxlpolicyd.service "$d/cxlpolicyd.service"
cp /deploy/example-batch.slice "$d/batch.slice"
cp -r /deploy/web.slice.d "$d/web.slice.d"
out=$(systemd-analyze verify --man=no "$d/cxlpolicyd.service" "$d/batch.slice" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "systemd-analyze verify exited $rc: $(echo "$out" | head -n 3 | tr '\n' ' ')"
[ -z "$out" ] || fail "systemd-analyze verify warns: $(echo "$out" | head -n 3 | tr '\n' ' ')"
must systemctl daemon-reload
[ "$(systemctl show -P LoadState cxlpolicyd.service)" = loaded ] ||
	fail "cxlpolicyd.service: LoadState $(systemctl show -P LoadState cxlpolicyd.service)"
[ "$(systemctl show -P Type cxlpolicyd.service)" = notify ] || fail "Type is not notify"
caps=$(systemctl show -P CapabilityBoundingSet cxlpolicyd.service)
echo "CapabilityBoundingSet: $caps"
for c in cap_sys_nice cap_sys_ptrace cap_sys_admin cap_dac_override; do
	echo "$caps" | grep -qw "$c" || fail "bounding set lacks $c: $caps"
done
drop=$(systemctl show -P DropInPaths web.slice)
[ "$drop" = "$d/web.slice.d/cxlpolicy.conf" ] || fail "web.slice drop-in not seen by systemd: '$drop'"
score=$(systemd-analyze security --no-pager cxlpolicyd.service 2>&1 | tail -n 1)
echo "CXLTEST-SHOW systemd-deploy: systemd-analyze security: $score"
