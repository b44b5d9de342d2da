#!/usr/bin/env bash
# make bench: what a scan of every process costs, as ratios against baselines
# measured in the same invocation (the machine is shared: absolute times drift).
#   baseline: read every /proc/PID/maps without parsing (the floor of a text design)
#   text:     cxlpolicyctl scan --all --maps-method text
#   query:    cxlpolicyctl scan --all (PROCMAP_QUERY on 6.11+)
set -euo pipefail
ctl=${1:-build/bin/cxlpolicyctl}
procs=${BENCH_PROCS:-500}
runs=${BENCH_RUNS:-7}

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq "$procs"); do sleep 600 & pids+=($!); done
sleep 1

median_ms() { # command... -> median wall time in ms over $runs runs
	local t=()
	for _ in $(seq "$runs"); do
		local s e
		s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
		t+=($(( (e - s) / 1000 )))
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p" | awk '{printf "%.2f", $1 / 1000}'
}

read_maps() { cat /proc/[0-9]*/maps >/dev/null 2>&1 || true; }
nproc_now=$(ls -d /proc/[0-9]* | wc -l)
base=$(median_ms read_maps)
text=$(median_ms "$ctl" --maps-method text scan --all --summary)
query=$(median_ms "$ctl" scan --all --summary)
method=$("$ctl" --json scan --pid $$ | grep -o '"maps_method":"[a-z_]*"' | cut -d'"' -f4)

echo "bench: scan --all over $nproc_now processes, median of $runs runs"
printf '  %-44s %8s ms  %6s\n' "read every /proc/PID/maps (baseline)" "$base" "1.00x"
printf '  %-44s %8s ms  %6sx\n' "scan --maps-method text" "$text" "$(awk -v a="$text" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"
printf '  %-44s %8s ms  %6sx\n' "scan (auto: $method)" "$query" "$(awk -v a="$query" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"
printf '  query vs text: %sx faster\n' "$(awk -v a="$text" -v b="$query" 'BEGIN{printf "%.2f", a/b}')"
