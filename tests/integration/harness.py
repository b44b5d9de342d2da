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


def start_daemon(ctl, daemon, poldir, sock, lock, log_path, *extra, level="debug", timeout=20):
    """Start cxlpolicyd (output appended to @log_path) and wait until `ctl status` answers on
    @sock; @ctl is the cxlpolicyctl path. Raises when it exits or does not answer in time."""
    import subprocess
    import time
    log = open(log_path, "a")
    p = subprocess.Popen([daemon, "--policy-dir", poldir, "--socket", sock, "--lock", lock,
                          "--log-level", level, *extra], stdout=log, stderr=log)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if p.poll() is not None:
            raise AssertionError(f"cxlpolicyd exited {p.returncode}: "
                                 f"{open(log_path).read()[-2000:]}")
        if os.path.exists(sock) and subprocess.run(
                [ctl, "status", "--socket", sock], capture_output=True).returncode == 0:
            return p
        time.sleep(0.1)
    p.kill()
    raise AssertionError(f"cxlpolicyd did not answer within {timeout} s")


def stop_daemon(p, timeout=20):
    """SIGTERM, wait; the exit status."""
    import signal
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=timeout)
    return p.returncode
