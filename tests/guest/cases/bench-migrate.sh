#!/bin/sh
# topology: manual
# timeout: 420
# Not part of make check's guest stage (no topology run-all.sh boots names it): make bench
# boots it with `tests/guest/run.sh --case bench-migrate cxl` (issue 9, parts 3 and 4).
# Migration cost with the CXL node as the source, on the same pages, interleaved:
#   1. a 16 MiB text segment mapped by one process: `cxlpolicyctl migrate --pid` against the
#      raw move_pages(2) syscall (build/guest/benchmove, each call timed, chunk sizes 16 to
#      4096 pages) and against `migratepages` (numactl) moving the whole process;
#   2. a 2 MiB library text mapped by 50 processes: `migrate --cgroup` (one copy moved),
#      the raw syscall through one mapper, `migratepages` over all 50;
#   3. cxlpolicyd: the time from a process joining a governed cgroup with its text on CXL to
#      that text being on DRAM.
# The mappers run bound to the slow node (benchmove membind), so their own data is on CXL too: what
# migratepages drags along is the "bytes moved per byte of code". Figures are TCG's.
# Results are "CXLTEST-SHOW BENCH what=... key=value" lines that tests/bench/bench.py reads.
# shellcheck source=../caselib.sh
. /etc/caselib.sh
# Results also go to the console at once: the case's own output reaches it only at the end.
bench() {
	echo "CXLTEST-SHOW BENCH $*"
	echo "bench-migrate: $*" >/dev/console 2>/dev/null || true
}
progress() { echo "bench-migrate: $* ($(uptime_s) s)" >/dev/console 2>/dev/null || true; }

text_pages=4096
lib_pages=512
mappers=50
rounds=3

# start_mapper OUT FILE: a textmap of FILE whose data is on the slow node; prints its pid.
start_mapper() {
	rm -f "$1"
	# Its own output to $1; nothing on the caller's stdout, which $(...) reads to the end.
	(sleep 100000 | benchmove membind "$SLOW" /bin/textmap --file "$2" >"$1" 2>&1) \
		>/dev/null 2>&1 &
	_i=0
	until grep -q '^READY ' "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -le 300 ] || return 1
		sleep 0.1
	done
	sed -n 's/^READY pid=\([0-9]*\) .*/\1/p' "$1"
}

# wall OUTFILE: wall_us from the BENCHTIME line benchmove run left in OUTFILE.
wall() { sed -n 's/^BENCHTIME wall_us=\([0-9]*\) .*/\1/p' "$1"; }

# node_pages PID NODE [FILE]: pages on NODE in PID's numa_maps (only FILE's mappings if given).
node_pages() {
	awk -v n="N$2=" -v f="${3:-}" 'f == "" || index($0, "file=" f) {
		for (i = 3; i <= NF; i++) if (index($i, n) == 1) s += substr($i, length(n) + 1) }
		END { print s + 0 }' "/proc/$1/numa_maps"
}

# on_node PID FILE NODE: fail unless every resident page of FILE in PID is on NODE.
on_node() {
	_w=$(benchmove where "$1" "$2")
	_r=$(($(field "$_w" pages) - $(field "$_w" absent)))
	[ "$_r" -gt 0 ] && [ "$(field "$_w" "node$3")" = "$_r" ] ||
		fail "$2 in $1: expected all $_r resident pages on node $3: $_w"
}

# reset PID FILE: the file's pages back on the slow node (raw move, untimed).
reset() {
	must benchmove move "$1" "$2" "$SLOW" 1024 >/dev/null
	on_node "$1" "$2" "$SLOW"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# ---- 1. a large text segment, one process
make_text /tmp/big.text $text_pages "$SLOW"
p=$(start_mapper /tmp/big.out /tmp/big.text) && [ -n "$p" ] || fail "textmap did not start"
on_node "$p" /tmp/big.text "$SLOW"
bytes=$((text_pages * 4096))
ctl_w='' raw_w='' ctl_long=''
for r in $(seq $rounds); do
	reset "$p" /tmp/big.text
	out=$(benchmove run cxlpolicyctl --json migrate --pid "$p" 2>/tmp/t.err) || fail "migrate: $out"
	[ "$(sed -n 's/.*status=\([0-9]*\)/\1/p' /tmp/t.err)" = 0 ] || fail "migrate --pid failed: $(cat /tmp/t.err)"
	on_node "$p" /tmp/big.text 0
	[ "$(jnum "$(jsummary "$out")" moved_pages)" -ge $text_pages ] || fail "migrate moved too few pages: $(jsummary "$out")"
	ctl_w="$ctl_w $(wall /tmp/t.err)"
	ctl_long="$ctl_long $(jnum "$(jsummary "$out")" longest_call_us)"
	calls=$(jnum "$(jsummary "$out")" move_calls)
	reset "$p" /tmp/big.text
	raw=$(benchmove move "$p" /tmp/big.text 0 1024) || fail "raw move: $raw"
	[ "$(field "$raw" moved)" = $text_pages ] || fail "raw move: $raw"
	raw_w="$raw_w $(field "$raw" wall_us)"
done
cw=$(echo "$ctl_w" | median)
rw=$(echo "$raw_w" | median)
cl=$(echo "$ctl_long" | median)
bench what=cxlpolicyctl_migrate shape=text16m pages=$text_pages wall_us="$cw" calls="$calls" \
	longest_us="$cl" gbps="$(awk -v b=$bytes -v u="$cw" 'BEGIN { printf "%.3f", b / u / 1000 }')" \
	bytes_per_code_byte=1.00
bench what=migrate_vs_raw shape=text16m raw_chunk=1024 raw_wall_us="$rw" ctl_wall_us="$cw" \
	ratio="$(awk -v a="$cw" -v b="$rw" 'BEGIN { printf "%.3f", a / b }')"
progress "text: migrate vs raw done"
for c in 16 64 256 1024 4096; do
	reset "$p" /tmp/big.text
	raw=$(benchmove move "$p" /tmp/big.text 0 $c) || fail "raw move: $raw"
	[ "$(field "$raw" moved)" = $text_pages ] || fail "raw move chunk $c: $raw"
	w=$(field "$raw" wall_us)
	bench what=raw_chunk shape=text16m chunk=$c wall_us="$w" calls="$(field "$raw" calls)" \
		longest_us="$(field "$raw" longest_us)" \
		gbps="$(awk -v b=$bytes -v u="$w" 'BEGIN { printf "%.3f", b / u / 1000 }')"
done
# migratepages moves everything of the process on the slow node: its data too.
reset "$p" /tmp/big.text
all0=$(node_pages "$p" "$SLOW")
code0=$(node_pages "$p" "$SLOW" /tmp/big.text)
must benchmove run migratepages "$p" "$SLOW" 0 2>/tmp/t.err
on_node "$p" /tmp/big.text 0
moved=$((all0 - $(node_pages "$p" "$SLOW")))
mw=$(wall /tmp/t.err)
bench what=migratepages shape=text16m wall_us="$mw" code_pages="$code0" moved_pages=$moved \
	bytes_per_code_byte="$(awk -v a=$moved -v b="$code0" 'BEGIN { printf "%.3f", a / b }')" \
	gbps="$(awk -v b=$((moved * 4096)) -v u="$mw" 'BEGIN { printf "%.3f", b / u / 1000 }')" \
	over_ctl="$(awk -v a="$mw" -v b="$cw" 'BEGIN { printf "%.3f", a / b }')"
kill "$p"

progress "text: migratepages done"
# ---- 2. one library text mapped by 50 processes
make_text /tmp/lib.text $lib_pages "$SLOW"
cg=/sys/fs/cgroup/benchlib
mkdir -p "$cg"
pids=
for i in $(seq $mappers); do
	q=$(start_mapper "/tmp/lib$i.out" /tmp/lib.text) && [ -n "$q" ] || fail "mapper $i did not start"
	echo "$q" >"$cg/cgroup.procs" || fail "cannot move $q into $cg"
	pids="$pids $q"
done

first=$(echo "$pids" | awk '{ print $1 }')
progress "$mappers mappers started"
lbytes=$((lib_pages * 4096))
ctl_w='' raw_w=''
for r in $(seq $rounds); do
	reset "$first" /tmp/lib.text
	out=$(benchmove run cxlpolicyctl --json migrate --cgroup benchlib 2>/tmp/t.err) || fail "migrate: $out"
	[ "$(sed -n 's/.*status=\([0-9]*\)/\1/p' /tmp/t.err)" = 0 ] || fail "migrate --cgroup failed: $(cat /tmp/t.err)"
	# Every mapper's own view in the last round, the first one's before (TCG is slow).
	[ "$r" = $rounds ] && for q in $pids; do on_node "$q" /tmp/lib.text 0; done
	on_node "$first" /tmp/lib.text 0
	ctl_w="$ctl_w $(wall /tmp/t.err)"
	ctl_long=$(jnum "$(jsummary "$out")" longest_call_us)
	lmoved=$(jnum "$(jsummary "$out")" moved_pages)
	reset "$first" /tmp/lib.text
	raw=$(benchmove move "$first" /tmp/lib.text 0 1024) || fail "raw move: $raw"
	raw_w="$raw_w $(field "$raw" wall_us)"
done
cw=$(echo "$ctl_w" | median)
rw=$(echo "$raw_w" | median)
bench what=cxlpolicyctl_migrate_cgroup shape=lib2m_x50 pages=$lib_pages moved_pages="$lmoved" \
	wall_us="$cw" longest_us="$ctl_long" \
	gbps="$(awk -v b=$lbytes -v u="$cw" 'BEGIN { printf "%.3f", b / u / 1000 }')" \
	raw_wall_us="$rw" ratio="$(awk -v a="$cw" -v b="$rw" 'BEGIN { printf "%.3f", a / b }')"
reset "$first" /tmp/lib.text
all0=0
for q in $pids; do all0=$((all0 + $(node_pages "$q" "$SLOW") - $(node_pages "$q" "$SLOW" /tmp/lib.text))); done
must benchmove run sh -c "for q in $pids; do migratepages \$q $SLOW 0 || exit 1; done" 2>/tmp/t.err
for q in $pids; do on_node "$q" /tmp/lib.text 0; done
all1=0
for q in $pids; do all1=$((all1 + $(node_pages "$q" "$SLOW"))); done
moved=$((all0 - all1 + lib_pages)) # data of every mapper, plus the library once
mw=$(wall /tmp/t.err)
bench what=migratepages_x50 shape=lib2m_x50 wall_us="$mw" code_pages=$lib_pages moved_pages=$moved \
	bytes_per_code_byte="$(awk -v a=$moved -v b=$lib_pages 'BEGIN { printf "%.3f", a / b }')" \
	over_ctl="$(awk -v a="$mw" -v b="$cw" 'BEGIN { printf "%.3f", a / b }')"
for q in $pids; do kill "$q"; done

progress "library done"
# ---- 3. cxlpolicyd: a process with text on CXL joins a governed cgroup; how long until DRAM
dcg=/sys/fs/cgroup/benchd.slice
mkdir -p "$dcg" /tmp/benchpol.d
cat >/tmp/benchpol.d/b.json <<JSON
{"version": 1, "policies": [{"name": "benchd", "match": {"cgroup": "benchd.slice/**"},
  "mems": ["all"], "exec": {"interval": "1s"}}]}
JSON
daemon_start /tmp/benchpol.d
wait_until 10 "first sweep" sh -c 'cxlpolicyctl --json status | grep -q "\"sweeps\":[1-9]"' ||
	fail "cxlpolicyd never swept"
lat=
for r in $(seq $rounds); do
	make_text "/tmp/d$r.text" 256 "$SLOW"
	q=$(start_mapper "/tmp/d$r.out" "/tmp/d$r.text") && [ -n "$q" ] || fail "mapper did not start"
	on_node "$q" "/tmp/d$r.text" "$SLOW"
	t0=$(uptime_s)
	echo "$q" >"$dcg/cgroup.procs" || fail "cannot move $q into $dcg"
	i=0
	until w=$(benchmove where "$q" "/tmp/d$r.text") &&
		[ "$(field "$w" node0)" = $(($(field "$w" pages) - $(field "$w" absent))) ]; do
		i=$((i + 1))
		[ $i -le 400 ] || fail "text of $q not on node 0 20 s after joining: $w"
		sleep 0.05
	done
	ms=$(awk -v s="$t0" '{ printf "%d", ($1 - s) * 1000 }' /proc/uptime)
	lat="$lat $ms"
	kill "$q"
done
bench what=daemon_latency interval_ms=1000 samples="$(echo "$lat" | xargs | tr ' ' ,)" \
	median_ms="$(echo "$lat" | median)"
daemon_stop
