#!/usr/bin/env bash
# Run libFuzzer targets, each for SECONDS, starting from its seed corpus
# tests/fuzz/corpus/NAME/ (read, never written: new inputs go to build/fuzz/corpus/NAME/).
# libFuzzer runs every file of the seed corpus first, so a crash reproducer committed there
# is a regression test that every run replays.
# Usage: tests/fuzz/run.sh SECONDS BIN...
# Prints "fuzz NAME: N runs, ok" per target and "fuzz: N passed, N failed"; on a crash it
# prints the reproducer (build/fuzz/artifacts/NAME-crash-*) and how to keep it; exit 1.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
if [ "$#" -lt 2 ]; then
	echo "usage: $0 SECONDS BIN..." >&2
	exit 2
fi
secs=$1
shift

passed=0
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	seeds=$here/corpus/$name
	work=$top/build/fuzz/corpus/$name
	arts=$top/build/fuzz/artifacts
	log=$top/build/fuzz/$name.log
	mkdir -p "$work" "$arts"
	[ -d "$seeds" ] || {
		echo "FAIL fuzz $name: no seed corpus $seeds"
		failed=$((failed + 1))
		continue
	}
	# -timeout: an input taking over 10 s is a hang (reported like a crash).
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
		-print_final_stats=1 -artifact_prefix="$arts/$name-" "$work" "$seeds" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "PASS fuzz $name: ${runs:-?} runs in ${secs}s, $(find "$seeds" -type f | wc -l) corpus files"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz $name: see ${log#"$top"/}"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*FUZZ_ASSERT|[^ ]*\.c:[0-9]+: )|Test unit written' "$log" | head -n 8
		echo "  reproduce: $bin <file>; keep it as a regression: cp <file> $seeds/crash-<what>"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
