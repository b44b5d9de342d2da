#!/bin/sh
# topology: plain cxl hmat
# Short-lived processes, each with its own copy of the binary on the slow node, exit while
# `migrate --all` runs: every run exits 0, and a long-lived witness process (its own copy,
# also on the slow node) ends up with its text on node 0.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

n=24
place_copy /tmp/xw "$SLOW"
wl_start witness cxlpolicyctl run --membind "$SLOW" -- /tmp/xw --heap-kb 64
wl_cmd witness report
rep=$WL_REPLY
[ "$(field "$rep" "text_node$SLOW")" = "$(field "$rep" text_pages)" ] ||
	fail "setup: witness text not on node $SLOW: $rep"
for i in $(seq "$n"); do
	place_copy "/tmp/x$i" "$SLOW" >/dev/null
done
# Spawner: each process lives 0.1-0.4 s, a new one every 0.05 s, so several are alive
# (and some exit) during every migrate run.
(
	for i in $(seq "$n"); do
		(usleep $((100000 + i % 4 * 100000)) && echo quit) |
			cxlpolicyctl run --membind "$SLOW" -- "/tmp/x$i" --heap-kb 64 >/dev/null &
		usleep 50000
	done
	wait
) &
spawner=$!

runs=0
vanished=0
moved=0
while kill -0 "$spawner" 2>/dev/null || [ $runs -lt 3 ]; do
	out=$(cxlpolicyctl --json migrate --all) || fail "migrate --all exited $? (run $((runs + 1))): $out"
	runs=$((runs + 1))
	vanished=$((vanished + $(jnum "$out" processes_vanished)))
	moved=$((moved + $(jnum "$out" moved_pages)))
done
wait "$spawner"
echo "migrate --all ran $runs times while $n processes came and went: moved $moved pages, $vanished processes vanished mid-run"
[ "$moved" -gt 0 ] || fail "no page moved: the runs did not overlap the processes"
wl_cmd witness report
rep=$WL_REPLY
echo "witness: $rep"
[ "$(field "$rep" text_node0)" = $(($(field "$rep" text_pages) - $(field "$rep" text_absent))) ] ||
	fail "witness text not on node 0 after the runs: $rep"
wl_quit witness
