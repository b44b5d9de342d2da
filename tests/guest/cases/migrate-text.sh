#!/bin/sh
# topology: plain cxl hmat
# A program whose text and heap are on the slow node: `migrate --pid` brings every
# resident text page to node 0 and leaves every heap page where it was.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

place_copy /tmp/w "$SLOW"
wl_start mt cxlpolicyctl run --membind "$SLOW" -- /tmp/w --heap-kb 1024
wl_cmd mt report
before=$WL_REPLY
echo "before: $before"
text=$(field "$before" text_pages)
heap=$(field "$before" heap_pages)
[ "$text" -ge 4 ] || fail "workload text spans $text pages, expected >= 4"
[ "$(field "$before" "text_node$SLOW")" = "$text" ] || fail "text not all on node $SLOW: $before"
[ "$(field "$before" "heap_node$SLOW")" = "$heap" ] || fail "heap not all on node $SLOW: $before"

out=$(cxlpolicyctl --json migrate --pid "$WL_PID") || fail "migrate --pid exited $?: $out"
echo "$out"
wl_cmd mt report
after=$WL_REPLY
echo "after: $after"
resident=$((text - $(field "$after" text_absent)))
[ "$resident" -gt 0 ] || fail "no resident text after migrate: $after"
[ "$(field "$after" text_node0)" = "$resident" ] ||
	fail "resident text not all on node 0 after migrate: $after"
[ "$(field "$after" "heap_node$SLOW")" = "$heap" ] || fail "heap moved off node $SLOW: $after"
moved=$(jnum "$out" moved_pages)
[ "${moved:-0}" -ge "$resident" ] || fail "moved_pages=$moved, expected >= $resident"
wl_quit mt
