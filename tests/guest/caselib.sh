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
	echo "FAIL: $*"
	exit 1
}

# Run a command, echoing it first; fail if it exits non-zero.
must() {
	echo "+ $*"
	"$@" || fail "$* exited $?"
}

# Workload processes talk over fifos: wl_start NAME [CMD...] starts CMD (default
# /tmp/w --heap-kb 1024) with stdin from /tmp/NAME.in and stdout to /tmp/NAME.out, waits
# for its READY line and sets WL_PID (used by the cases). The fifo writer fd is kept open on fd 8/9 by name.
wl_start() {
	name=$1
	shift
	[ $# -gt 0 ] || set -- /tmp/w --heap-kb 1024
	rm -f "/tmp/$name.in" "/tmp/$name.out"
	mkfifo "/tmp/$name.in"
	: >"/tmp/$name.out"
	"$@" <"/tmp/$name.in" >"/tmp/$name.out" 2>&1 &
	# Hold the fifo open for writing so the workload does not see EOF between commands.
	sleep 100000 >"/tmp/$name.in" &
	echo $! >"/tmp/$name.holder"
	i=0
	until grep -q '^READY ' "/tmp/$name.out"; do
		i=$((i + 1))
		[ $i -le 600 ] || fail "$name: no READY line: $(cat "/tmp/$name.out")"
		sleep 0.1
	done
	# shellcheck disable=SC2034 # read by the cases that source this file
	WL_PID=$(sed -n 's/^READY pid=\([0-9]*\) .*/\1/p' "/tmp/$name.out")
	echo "$name: $(grep '^READY ' "/tmp/$name.out")"
}

# wl_cmd NAME CMD: send CMD, wait for the reply line starting with its upper-case word,
# print the reply.
wl_cmd() {
	name=$1
	cmd=$2
	word=$(echo "${cmd%% *}" | tr "[:lower:]" "[:upper:]")
	before=$(grep -c "^$word " "/tmp/$name.out")
	echo "$cmd" >"/tmp/$name.in"
	i=0
	while [ "$(grep -c "^$word " "/tmp/$name.out")" -le "$before" ]; do
		i=$((i + 1))
		[ $i -le 600 ] || fail "$name: no $word reply to '$cmd'"
		sleep 0.1
	done
	grep "^$word " "/tmp/$name.out" | tail -n 1
}

wl_quit() {
	echo quit >"/tmp/$1.in"
	kill "$(cat "/tmp/$1.holder")" 2>/dev/null
}

# field LINE KEY: the value of KEY=value in a REPORT/READY line (0 when absent).
field() {
	v=$(echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p")
	echo "${v:-0}"
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
