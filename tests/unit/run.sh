#!/usr/bin/env bash
# Run the unit test binaries given as arguments (Check suites), each with
# CK_FORK=yes so a crash fails one test, not the suite.  Prints every
# binary's output and ends with "unit: N passed, N failed, N skipped".  A
# suite that cannot run a check here prints "SKIP <name>: <why>" and does not
# register it, so a skip never counts as passed; the SKIP lines are counted
# and repeated at the end.  Exit status 1 when any binary fails or its output
# has no Check summary line.
set -u

passed=0
failed=0
skipped=0
skip_lines=""
status=0

if [ "$#" -eq 0 ]; then
	echo "usage: $0 TEST_BINARY..." >&2
	exit 2
fi

for bin in "$@"; do
	name=$(basename "$bin")
	echo "== $name"
	out=$(CK_FORK=yes "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	skips=$(printf '%s\n' "$out" | grep '^SKIP ' || true)
	if [ -n "$skips" ]; then
		skipped=$((skipped + $(printf '%s\n' "$skips" | wc -l)))
		skip_lines+=$(printf '%s\n' "$skips" | sed "s|^|$name: |")$'\n'
	fi
	# "100%: Checks: 12, Failures: 0, Errors: 0"
	summary=$(printf '%s\n' "$out" | sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p')
	if [ -z "$summary" ]; then
		echo "$name: no Check summary (exit $rc)"
		failed=$((failed + 1))
		status=1
		continue
	fi
	bad=0
	while read -r checks failures errors; do
		passed=$((passed + checks - failures - errors))
		bad=$((bad + failures + errors))
	done <<<"$summary"
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		# e.g. a leak report from the sanitizer after Check's summary
		echo "$name: exit status $rc with every check passing"
		bad=1
	fi
	failed=$((failed + bad))
	if [ "$bad" -gt 0 ] || [ "$rc" -ne 0 ]; then
		status=1
	fi
done

if [ -n "$skip_lines" ]; then
	printf 'skipped checks:\n%s' "$skip_lines"
fi
echo "unit: $passed passed, $failed failed, $skipped skipped"
exit "$status"
