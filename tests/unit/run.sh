#!/usr/bin/env bash
# Run the unit test binaries given as arguments (Check suites), each with
# CK_FORK=yes so a crash fails one test, not the suite.  Prints every
# binary's output and ends with "unit: N passed, N failed, N skipped".  Exit
# status 1 when any binary fails or its output has no Check summary line.
#
# Skips: a test that cannot run here prints "SKIP <test>: <why>", either from
# inside the test (which Check then counts as passed) or from main() instead of
# registering it.  Check runs verbose, so a skipping test that Check passed is
# known by name and taken out of the passed count; every skip is counted, listed
# again at the end, and never counted as passed.  The same binaries run inside
# the QEMU guest (the unit-suites case,
# 2-3 nodes, kernels 6.1 and 6.12), where a SKIP fails when $CI is set, and under
# CI the guest stage cannot be skipped: so a host skip is allowed only because the
# guest runs that check.  With CI set and CXLPOLICY_SKIP_GUEST=1 (no guest to
# prove them) any skip fails here.
set -u

passed=0
failed=0
skipped=0
skips=
status=0

if [ "$#" -eq 0 ]; then
	echo "usage: $0 TEST_BINARY..." >&2
	exit 2
fi

for bin in "$@"; do
	name=$(basename "$bin")
	echo "== $name"
	out=$(CK_FORK=yes CK_VERBOSITY=verbose "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	if skip_lines=$(printf '%s\n' "$out" | grep '^SKIP '); then
		skipped=$((skipped + $(printf '%s\n' "$skip_lines" | wc -l)))
		# a test that skipped from inside is a pass to Check: not to us
		for t in $(printf '%s\n' "$skip_lines" | sed -n 's/^SKIP \([A-Za-z0-9_]*\):.*/\1/p' | sort -u); do
			if printf '%s\n' "$out" | grep -q ":P:[^:]*:$t:"; then
				passed=$((passed - 1))
			fi
		done
		skips+=$(printf '%s\n' "$skip_lines" | sed "s/^SKIP /  $name: /")$'\n'
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

if [ "$skipped" -gt 0 ]; then
	echo "unit: skipped here (each must run in the guest's unit-suites case):"
	printf '%s' "$skips"
	if [ -n "${CI:-}" ] && [ "${CXLPOLICY_SKIP_GUEST:-0}" = 1 ]; then
		echo "unit: a SKIP is a failure when CI is set and the guest stage is skipped"
		status=1
	fi
fi
echo "unit: $passed passed, $failed failed, $skipped skipped"
exit "$status"
