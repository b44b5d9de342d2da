#!/bin/sh
# topology: plain hmat
# timeout: 180
# Hostile review of issue 8, the quiet-sweep shortcut: a governed process execs (same pid,
# no new member, no fork) a binary whose page cache is already on the slow node. Nothing
# is allocated on the slow node, so the CXL allocation counters do not move and the
# policy's sweeps stay quiet; only the forced full sweep every --full-every intervals
# finds the text. Checks the bound: with interval 1 s and --full-every 4 the text must be
# on node 0 within 4 intervals (+1 for timer slack) of the exec; prints how long it took.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

place_copy /tmp/w2 "$SLOW"
cg=/sys/fs/cgroup/quiet.slice
mkdir -p "$cg/job"
cat >/tmp/quiet.json <<JSON
{"version": 1, "policies": [{"name": "quiet", "match": {"cgroup": "quiet.slice/**"},
  "mems": ["dram", "cxl"], "exec": {"migrate": true, "interval": "1s"}}]}
JSON
mkdir -p /tmp/pol-review-quiet-exec.d
cp /tmp/quiet.json /tmp/pol-review-quiet-exec.d/
rm -f /tmp/qfifo
mkfifo /tmp/qfifo
# one member process for its whole life: joins the cgroup, waits without a child, execs
rm -f /tmp/kept.in /tmp/kept.out
mkfifo /tmp/kept.in
: >/tmp/kept.out
sh -c "echo \$\$ >$cg/job/cgroup.procs; exec 3<>/tmp/qfifo; read -t 6 x <&3; exec /tmp/w2 --heap-kb 64" \
	</tmp/kept.in >/tmp/kept.out 2>&1 &
sleep 100000 >/tmp/kept.in &
echo $! >/tmp/kept.holder
daemon_start /tmp/pol-review-quiet-exec.d --full-every 4
until grep -q '^READY ' /tmp/kept.out; do sleep 0.1; done
t0=$(uptime_s)
echo "exec done: $(grep '^READY ' /tmp/kept.out)"
wl_cmd kept report
echo "right after exec: $WL_REPLY"
text=$(field "$WL_REPLY" text_pages)
resident=$((text - $(field "$WL_REPLY" text_absent)))
moved() {
	wl_cmd kept report
	[ "$(field "$WL_REPLY" text_node0)" = "$resident" ]
}
wait_until 6 "text on node 0 ($(secs_since "$t0") s after exec)" moved || {
	cxlpolicyctl status
	fail "text still on node $SLOW 6 s after the exec with --full-every 4, interval 1s: $WL_REPLY"
}
echo "CXLTEST-SHOW quiet-exec: text reached node 0 $(secs_since "$t0") s after the exec (bound 4-5 s)"
cxlpolicyctl status | grep -i "sweeps"
wl_quit kept
daemon_stop
