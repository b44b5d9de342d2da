#!/bin/sh
# topology: plain cxl hmat
# Anonymous executable memory (a JIT's code cache) on the slow node is found by scan as an
# "anon" mapping and moved by migrate, in several paced move_pages calls; the data heap
# bound to the same node stays there.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

jit_kb=32768 # 8192 pages: enough for the pacer to split the move into several calls
wl_start jit /bin/workload --heap-kb 1024 --heap-node "$SLOW" --jit-kb $jit_kb
wl_cmd jit report
before=$WL_REPLY
jit_pages=$(field "$before" jit_pages)
heap_pages=$(field "$before" heap_pages)
[ "$(field "$before" "jit_node$SLOW")" = "$jit_pages" ] || fail "setup: jit not on node $SLOW: $before"

json=$(cxlpolicyctl --json scan --pid "$WL_PID") || fail "scan exited $?"
anon=$(jmappings "$json" | grep '"kind":"anon"' | grep '"perms":"rwxp"')
[ -n "$anon" ] || fail "scan shows no anonymous rwxp mapping: $(jmappings "$json" | cut -c1-120)"
[ "$(jnum "$anon" cxl_pages)" = "$jit_pages" ] || fail "scan: anon exec cxl_pages $(jnum "$anon" cxl_pages), expected $jit_pages"

json=$(cxlpolicyctl --json migrate --pid "$WL_PID") || fail "migrate exited $?"
moved=$(jnum "$json" moved_pages)
calls=$(jnum "$json" move_calls)
longest=$(jnum "$json" longest_call_us)
retried=$(jnum "$json" retried_pages)
echo "CXLTEST-SHOW jit-chunks ($CXLTEST_TOPOLOGY): moved $moved pages in $calls move_pages calls (longest ${longest} us), $retried retried once after EBUSY"
[ "$moved" -ge "$jit_pages" ] || fail "moved $moved pages, expected >= $jit_pages: $(echo "$json" | grep -o '"dry_run".*')"
[ "$calls" -gt 1 ] || fail "one move_pages call for $moved pages: not chunked"
[ "$(jnum "$json" failed_pages)" = 0 ] || fail "failed pages: $json"

wl_cmd jit report
after=$WL_REPLY
[ "$(field "$after" jit_node0)" = "$jit_pages" ] || fail "jit not on node 0 after migrate: $after"
[ "$(field "$after" "heap_node$SLOW")" = "$heap_pages" ] || fail "heap moved: $after"
wl_quit jit
