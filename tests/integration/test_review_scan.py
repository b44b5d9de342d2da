#!/usr/bin/env python3
"""Host integration tests from the hostile review of the scan speed work (issue 9).

- A library at a path longer than PATH_MAX, mapped after other text: PROCMAP_QUERY fails
  with ENAMETOOLONG for it part-way through the process; the scan must still report the
  process (text maps print such names), not fail it.
- Executable mappings close together are walked in one PAGEMAP_SCAN; the cost of taking the
  window's ranges must stay linear in the mappings (a process with tens of thousands of
  mappings, each with one resident page and holes between, is the issue's hostile shape).

Usage: test_review_scan.py PATH/TO/cxlpolicyctl
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, finish, test  # noqa: E402

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"

# After chdir to each of argv[3:] (a path too long to name at once), maps argv[2]
# PROT_READ|PROT_EXEC argv[1] times (128 KiB each, offset 0: no two merge),
# touches the first page of each (fault-around fills 64 KiB: a hole follows), then waits.
MAPPER = ("import ctypes, mmap, os, sys\n"
          "for step in sys.argv[3:]:\n"
          "    os.chdir(step)\n"
          "fd = os.open(sys.argv[2], os.O_RDONLY)\n"
          "libc = ctypes.CDLL(None, use_errno=True)\n"
          "libc.mmap.restype = ctypes.c_void_p\n"
          "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,"
          " ctypes.c_int, ctypes.c_long]\n"
          "for i in range(int(sys.argv[1])):\n"
          "    a = libc.mmap(None, 131072, mmap.PROT_READ | mmap.PROT_EXEC, mmap.MAP_PRIVATE,"
          " fd, 0)\n"
          "    if a in (None, ctypes.c_void_p(-1).value):\n"
          "        sys.exit('mmap: ' + os.strerror(ctypes.get_errno()))\n"
          "    ctypes.c_char.from_address(a).value\n"
          "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
          "sys.stdin.readline()\n")


def start_mapper(*args):
    c = subprocess.Popen([sys.executable, "-c", MAPPER, *args], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    if c.stdout.readline() != b"ready\n":
        c.kill()
        raise AssertionError("mapper did not start")
    return c


def stop(c):
    c.kill()
    c.wait()


def scan_pid(pid, *extra):
    p = subprocess.run([CTL, "--json", *extra, "scan", "--pid", str(pid), "--mappings"],
                       capture_output=True, timeout=300)
    return p, (json.loads(p.stdout) if p.stdout else None)


@test
def test_library_path_longer_than_path_max():
    """PROCMAP_QUERY's ENAMETOOLONG part-way: the process is still scanned, the mapping seen."""
    top = tempfile.mkdtemp(prefix="cxlp-long-")
    try:
        # Build the deep path with relative steps (no absolute name may exceed PATH_MAX).
        fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
        for _ in range(22):
            os.mkdir("d" * 200, dir_fd=fd)
            nfd = os.open("d" * 200, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        f = os.open("lib.bin", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"\x90" * 262144)
        os.close(f)
        os.close(fd)
        c = start_mapper("1", "lib.bin", top, *(["d" * 200] * 22))
        try:
            _, probe = scan_pid(os.getpid())
            if probe["maps_method"] != "procmap_query":
                raise Skip(f"maps method here is {probe['maps_method']} (no PROCMAP_QUERY)")
            p, out = scan_pid(c.pid)
            assert out is not None, p.stderr.decode()
            assert p.returncode == 0 and out["processes_failed"] == 0, \
                f"exit {p.returncode}, stderr {p.stderr.decode().strip()!r}"
            maps = out["processes"][0]["mappings"]
            long = [m for m in maps if m.get("path", "").endswith("/lib.bin")]
            assert len(long) == 1 and long[0]["resident"] > 0, \
                f"{len(maps)} mappings, the long-named one: {long}"
        finally:
            stop(c)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def scan_seconds(pid):
    best = None
    for _ in range(2):
        t = time.monotonic()
        p = subprocess.run([CTL, "scan", "--pid", str(pid)], capture_output=True, timeout=600)
        dt = time.monotonic() - t
        assert p.returncode == 0, p.stderr.decode()
        best = dt if best is None else min(best, dt)
    return best


@test
def test_window_walk_is_linear_in_mappings():
    """4x the close-together mappings (one resident page each, holes between): < 8x the time."""
    with tempfile.NamedTemporaryFile(prefix="cxlp-text-") as f:
        f.write(os.urandom(131072))
        f.flush()
        c = start_mapper("1000", f.name)
        try:
            _, out = scan_pid(c.pid)
            if out["residency_method"] != "pagemap_scan":
                raise Skip(f"residency method here is {out['residency_method']} "
                           "(no PAGEMAP_SCAN window walk)")
        finally:
            stop(c)
        times = {}
        for n in (10000, 40000):
            c = start_mapper(str(n), f.name)
            try:
                times[n] = scan_seconds(c.pid)
            finally:
                stop(c)
        ratio = times[40000] / max(times[10000], 0.01)
        print(f"  scan --pid: 10,000 mappings {times[10000]:.2f} s, "
              f"40,000 {times[40000]:.2f} s, ratio {ratio:.1f} (linear ~4, quadratic ~16)")
        assert ratio < 8, f"ratio {ratio:.1f}: the window's ranges are taken per mapping"


finish("integration-review-scan")
