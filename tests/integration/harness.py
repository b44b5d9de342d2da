"""The harness every integration suite shares.

Each test prints "PASS name", "FAIL name: why" or "SKIP name: why"; finish() prints the
closing "SUITE: N passed, N failed, N skipped" line and exits 1 when a test failed, or when
a test was skipped while CI is set (a skip is never a pass, and CI must run everything).
"""
import os
import sys

results = {"passed": 0, "failed": 0, "skipped": 0}


class Skip(Exception):
    """A precondition of the test does not hold here: reported as SKIP, never as PASS."""


def skip(reason):
    raise Skip(reason)


def test(fn):
    """Run @fn now (used as a decorator) and count its result."""
    name = fn.__name__[len("test_"):] if fn.__name__.startswith("test_") else fn.__name__
    try:
        fn()
    except Skip as e:
        results["skipped"] += 1
        print(f"SKIP {name}: {e}")
    except Exception as e:  # a failed assertion or a crash both fail the test
        results["failed"] += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}")
    else:
        results["passed"] += 1
        print(f"PASS {name}")
    sys.stdout.flush()
    return fn


def finish(suite):
    print(f"{suite}: {results['passed']} passed, {results['failed']} failed, "
          f"{results['skipped']} skipped")
    if results["skipped"] and os.environ.get("CI"):
        print(f"{suite}: a SKIP is a failure when CI is set")
        sys.exit(1)
    sys.exit(1 if results["failed"] else 0)
