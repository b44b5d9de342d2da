# caselib.sh — helpers for guest test cases (busybox sh). Sourced as /etc/caselib.sh.
# A case passes by exiting 0; fail prints "FAIL: <reason>" (the reason run.sh shows) and
# exits 1. $CXLTEST_TOPOLOGY is plain or cxl; $SLOW is the node the tests fill (1 or 2).
# shellcheck shell=sh

if [ "$CXLTEST_TOPOLOGY" = cxl ]; then
	SLOW=2
else
	SLOW=1
fi
export SLOW

fail() {
	if [ -s /tmp/cxlpolicyd.log ]; then
		echo "cxlpolicyd log (last 15 lines):"
		tail -n 15 /tmp/cxlpolicyd.log
	fi
	echo "FAIL: $*"
	exit 1
}

# Run a command, echoing it first; fail if it exits non-zero.
must() {
	echo "+ $*"
	"$@" || fail "$* exited $?"
}

# Helper variables start with "_" so they do not clobber the cases' own.
# Workload processes talk over fifos: wl_start NAME [CMD...] starts CMD (default
# /tmp/w --heap-kb 1024) with stdin from /tmp/NAME.in and stdout to /tmp/NAME.out, waits
# for its READY line and sets WL_PID (used by the cases). The fifo writer fd is kept open on fd 8/9 by name.
wl_start() {
	_name=$1
	shift
	[ $# -gt 0 ] || set -- /tmp/w --heap-kb 1024
	rm -f "/tmp/$_name.in" "/tmp/$_name.out"
	mkfifo "/tmp/$_name.in"
	: >"/tmp/$_name.out"
	"$@" <"/tmp/$_name.in" >"/tmp/$_name.out" 2>&1 &
	# Hold the fifo open for writing so the workload does not see EOF between commands.
	sleep 100000 >"/tmp/$_name.in" &
	echo $! >"/tmp/$_name.holder"
	_i=0
	until grep -q '^READY ' "/tmp/$_name.out"; do
		_i=$((_i + 1))
		[ $_i -le 300 ] || fail "$_name: no READY line in 30 s: $(cat "/tmp/$_name.out")"
		sleep 0.1
	done
	# shellcheck disable=SC2034 # read by the cases that source this file
	WL_PID=$(sed -n 's/^READY pid=\([0-9]*\) .*/\1/p' "/tmp/$_name.out")
	echo "$_name: $(grep '^READY ' "/tmp/$_name.out")"
}

# wl_cmd NAME CMD: send CMD, wait for the reply line starting with its upper-case word and
# leave it in WL_REPLY (a variable, not output, so that fail here ends the case).
wl_cmd() {
	_name=$1
	_cmd=$2
	_word=$(echo "${_cmd%% *}" | tr "[:lower:]" "[:upper:]")
	_before=$(grep -c "^$_word " "/tmp/$_name.out")
	echo "$_cmd" >"/tmp/$_name.in"
	_i=0
	while [ "$(grep -c "^$_word " "/tmp/$_name.out")" -le "$_before" ]; do
		_i=$((_i + 1))
		[ $_i -le 300 ] || fail "$_name: no $_word reply to '$_cmd' in 30 s: $(tail -n 3 "/tmp/$_name.out")"
		sleep 0.1
	done
	# shellcheck disable=SC2034 # read by the cases that source this file
	WL_REPLY=$(grep "^$_word " "/tmp/$_name.out" | tail -n 1)
}

wl_quit() {
	echo quit >"/tmp/$1.in"
	kill "$(cat "/tmp/$1.holder")" 2>/dev/null
}

# field LINE KEY: the value of KEY=value in a REPORT/READY line (0 when absent).
field() {
	_v=$(echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p")
	echo "${_v:-0}"
}

# JSON from cxlpolicyctl is one line (json-c plain); these helpers pick fields with sed.
# jnum JSON KEY: the first number value of "KEY" (empty when absent).
jnum() {
	echo "$1" | grep -o "\"$2\":-\{0,1\}[0-9][0-9]*" | head -n 1 | cut -d: -f2
}

# jtotal JSON KEY: KEY from the last "totals" object (the run's overall totals).
jtotal() {
	jnum "$(echo "$1" | grep -o '"totals":{[^}]*}' | tail -n 1)" "$2"
}

# jmappings JSON: one line per mapping object ({"start":... up to the next one), with
# json-c's escaped slashes ("\/tmp\/w") turned back into plain ones.
jmappings() {
	echo "$1" | sed 's/{"start"/\n&/g; s#\\/#/#g' | grep '^{"start"'
}

# jnodes JSON: one line per node object of `cxlpolicyctl --json nodes`.
jnodes() {
	echo "$1" | sed 's/{"node"/\n&/g' | grep '^{"node"'
}

# Copy /bin/workload to $1 with its page cache filled on node $2.
place_copy() {
	rm -f "$1"
	must cxlpolicyctl run --membind "$2" -- cp /bin/workload "$1"
}

# --- helpers for the textmap cases (issue 7 regressions) ---

# make_text FILE PAGES NODE: a file of PAGES pages with its page cache on NODE. It is
# never run: textmap maps it PROT_READ|PROT_EXEC, as a loader maps a library's text.
make_text() {
	rm -f "$1"
	must cxlpolicyctl run --membind "$3" -- dd if=/dev/zero of="$1" bs=4096 count="$2"
}

# tm_resident REPORT: file pages resident in a textmap process (file_pages - file_absent).
tm_resident() {
	echo $(($(field "$1" file_pages) - $(field "$1" file_absent)))
}

# jprocess JSON PID: the part of scan/migrate JSON from process PID's object up to the
# next process (its mappings, totals and moves), slashes unescaped.
jprocess() {
	echo "$1" | sed 's/{"pid"/\n&/g; s#\\/#/#g' | grep "^{\"pid\":$2,"
}

# jsummary JSON: migrate's run-level fields (from "dry_run" on), for the log.
jsummary() {
	echo "$1" | grep -o '"dry_run".*'
}

# uptime_s: seconds since boot, for timing a command in the guest.
uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# secs_since T: seconds (one decimal) since uptime_s printed T.
secs_since() {
	awk -v s="$1" '{ printf "%.1f", $1 - s }' /proc/uptime
}

# --- helpers for the cxlpolicyd cases (issue 8) ---

# daemon_start POLDIR [ARGS...]: start cxlpolicyd on POLDIR (log in /tmp/cxlpolicyd.log),
# wait until it answers status, leave its pid in DAEMON_PID.
daemon_start() {
	_dir=$1
	shift
	mkdir -p "$_dir"
	# a daemon an earlier case left (killed but not yet gone) must not answer for this one
	for _p in $(pidof cxlpolicyd); do kill -9 "$_p"; done
	_i=0
	while pidof cxlpolicyd >/dev/null; do
		_i=$((_i + 1))
		[ $_i -le 100 ] || fail "an earlier cxlpolicyd does not go away"
		sleep 0.1
	done
	: >/tmp/cxlpolicyd.log # each case reads only its own daemon's log
	cxlpolicyd --policy-dir "$_dir" --log-level debug "$@" >>/tmp/cxlpolicyd.log 2>&1 &
	DAEMON_PID=$!
	_i=0
	until cxlpolicyctl --json status 2>/dev/null | grep -q "\"pid\":$DAEMON_PID,"; do
		_i=$((_i + 1))
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "cxlpolicyd exited: $(tail -n 20 /tmp/cxlpolicyd.log)"
		[ $_i -le 300 ] || fail "cxlpolicyd did not answer in 30 s: $(tail -n 20 /tmp/cxlpolicyd.log)"
		sleep 0.1
	done
	echo "cxlpolicyd pid $DAEMON_PID"
}

# daemon_stop: SIGTERM; fail unless it exits 0 within 20 s with no sanitizer report.
daemon_stop() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	_i=0
	while kill -0 "$DAEMON_PID" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -le 200 ] || fail "cxlpolicyd still running 20 s after SIGTERM"
		sleep 0.1
	done
	wait "$DAEMON_PID"
	_rc=$?
	[ $_rc -eq 0 ] || fail "cxlpolicyd exited $_rc after SIGTERM: $(tail -n 20 /tmp/cxlpolicyd.log)"
	! grep -q "Sanitizer\|runtime error" /tmp/cxlpolicyd.log || fail "sanitizer report in the daemon log"
}

# wait_until SECONDS DESCRIPTION CMD...: poll CMD every 0.2 s (CMD may use wl_cmd).
wait_until() {
	_wu_limit=$(($1 * 5))
	_wu_what=$2
	shift 2
	# own counter names: the predicate may call wl_cmd, which uses _i
	_wu_i=0
	until "$@"; do
		_wu_i=$((_wu_i + 1))
		[ $_wu_i -le $_wu_limit ] || return 1
		sleep 0.2
	done
	echo "$_wu_what after $((_wu_i / 5)).$((_wu_i % 5 * 2)) s"
}

# undrag: after a case put processes in a cgroup whose mems hold only the slow node, the
# kernel has migrated page cache they share with everyone (libc, busybox, the workload)
# there, and the pages only they mapped stay there after they exit. The guest's files live
# in its page cache (initramfs), so nothing can drop them: warm them back onto node 0 so
# the next case starts clean. Call from an EXIT trap, after the processes are gone.
undrag() {
	_cg=$1
	if [ -d "$_cg" ]; then
		for _p in $(cat "$_cg"/cgroup.procs "$_cg"/*/cgroup.procs 2>/dev/null); do kill -9 "$_p" 2>/dev/null; done
		sleep 0.3
		rmdir "$_cg"/* "$_cg" 2>/dev/null
	fi
	find /bin /usr/lib /tmp -xdev -type f -size +0 2>/dev/null |
		xargs cxlpolicyctl warm >/dev/null 2>&1
	return 0
}
