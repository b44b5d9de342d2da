#!/bin/sh
# topology: plain cxl hmat
# `migrate --dry-run` moves nothing but counts what would move; `--max-bytes 8192` moves
# at most two pages.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

place_copy /tmp/w "$SLOW"
wl_start dr cxlpolicyctl run --membind "$SLOW" -- /tmp/w --heap-kb 64
wl_cmd dr report
r1=$WL_REPLY
echo "before: $r1"
text=$(field "$r1" text_pages)
slow=$(field "$r1" "text_node$SLOW")
[ "$slow" -ge 4 ] || fail "setup: only $slow text pages on node $SLOW: $r1"

# Under --membind the loader and libc pages this process was first to fault also sit on
# node $SLOW, so what would move is every CXL code page of the process: scan counts them.
sc=$(cxlpolicyctl --json scan --pid "$WL_PID") || fail "scan exited $?: $sc"
cxl=$(jtotal "$sc" cxl_pages)
[ "$cxl" -ge "$slow" ] || fail "scan sees $cxl CXL code pages, fewer than the workload's own $slow"
out=$(cxlpolicyctl --json migrate --pid "$WL_PID" --dry-run) || fail "migrate --dry-run exited $?: $out"
echo "$out"
echo "$out" | grep -q '"dry_run":true' || fail "dry run output lacks \"dry_run\":true"
[ "$(jnum "$out" moved_pages)" = "$cxl" ] ||
	fail "dry run: moved_pages=$(jnum "$out" moved_pages), expected the $cxl CXL code pages scan saw ($slow of them the workload's own text on node $SLOW)"
wl_cmd dr report
r2=$WL_REPLY
echo "after dry run: $r2"
[ "${r2#REPORT }" = "${r1#REPORT }" ] || fail "dry run changed placement: $r1 -> $r2"

out=$(cxlpolicyctl --json migrate --pid "$WL_PID" --max-bytes 8192) ||
	fail "migrate --max-bytes exited $?: $out"
echo "$out"
moved=$(jnum "$out" moved_pages)
wl_cmd dr report
r3=$WL_REPLY
echo "after --max-bytes 8192: $r3"
[ "$moved" -ge 1 ] || fail "--max-bytes 8192 moved nothing"
[ "$moved" -le 2 ] || fail "--max-bytes 8192 moved $moved pages, expected at most 2"
[ "$(field "$r3" "text_node$SLOW")" = $((slow - moved)) ] ||
	fail "--max-bytes 8192: workload sees $(field "$r3" "text_node$SLOW") pages left on node $SLOW, expected $((slow - moved))"
[ "$(field "$r3" text_node0)" -le 2 ] || fail "--max-bytes 8192: more than 2 text pages on node 0: $r3"
[ "$(field "$r3" text_pages)" = "$text" ] || fail "text size changed: $r3"
wl_quit dr
