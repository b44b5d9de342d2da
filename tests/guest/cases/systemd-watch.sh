#!/bin/sh
# topology: systemd
# units_watch_new(): after Subscribe(), starting a transient unit delivers UnitNew and the
# JobRemoved of its start job ("done") on the private socket's sd-event loop.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

rm -f /tmp/watch.out
unitcg watch cxltest-w.service 30 >/tmp/watch.out 2>&1 &
watcher=$!
i=0
until grep -q '^WATCHING' /tmp/watch.out; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "unitcg watch did not subscribe in 10 s: $(cat /tmp/watch.out)"
	kill -0 $watcher 2>/dev/null || fail "unitcg watch exited: $(cat /tmp/watch.out)"
	sleep 0.1
done
must systemd-run --quiet --slice=cxltest-a.slice --unit=cxltest-w true
wait $watcher
rc=$?
cat /tmp/watch.out
[ $rc -eq 0 ] || fail "unitcg watch exited $rc: $(tail -n 1 /tmp/watch.out)"
grep -q '^new cxltest-w.service$' /tmp/watch.out || fail "no UnitNew for cxltest-w.service"
grep -q '^job cxltest-w.service done$' /tmp/watch.out || fail "no JobRemoved done for cxltest-w.service"
