#!/usr/bin/env python3
"""Host integration tests from the second review of issue 7.

- The dedupe key of a file mapping comes from /proc/PID/map_files (st_dev of the file itself),
  because maps shows the superblock's device, which btrfs subvolumes share. A process whose
  main thread has exited is read through a live thread (task/TID), but map_files exists only
  for the process and needs the leader's mm: there the key falls back to maps' (device, inode)
  and two different files collide again.
- JSON output of a process with many executable mappings: `--summary` promises totals only,
  and memory must not grow by kilobytes per mapping (an unprivileged process can create
  ~65,000 mappings; root's `--json scan --all` must not pay hundreds of MiB for it).

Usage: test_review2.py PATH/TO/cxlpolicyctl
Prints "PASS name", "FAIL name: why" or "SKIP name: why" per test and a closing
"integration-threads-json: N passed, N failed" (", N skipped" added when any skipped); with CI
set, a skip fails the run.
"""
import json
import os
import platform
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, finish, results, skip, test  # noqa: E402,F401
from btrfs import same_inode_subvolume_files, scan_mappings_of  # noqa: E402

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"
SYS_EXIT = {"x86_64": 60, "aarch64": 93, "riscv64": 93, "ppc64le": 1, "s390x": 1}


def run(*cmd):
    return subprocess.run(list(cmd), capture_output=True, timeout=120)


# Maps a file PROT_READ|PROT_EXEC, faults every page; with "main-exit" its main thread then
# exits alone (the exit system call) while a second thread keeps the process alive.
MAPPER = ("import ctypes, mmap, os, sys, threading, time\n"
          "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
          "n = os.fstat(fd).st_size\n"
          "m = mmap.mmap(fd, n, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC)\n"
          "s = sum(m[i] for i in range(0, n, 4096))\n"
          "threading.Thread(target=time.sleep, args=(600,)).start()\n"
          "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
          "if sys.argv[2] == 'main-exit':\n"
          "    ctypes.CDLL(None).syscall(int(sys.argv[3]), 0)\n"
          "time.sleep(600)\n")


def leader_zombie(pid):
    with open(f"/proc/{pid}/status") as f:
        return "\nState:\tZ" in f.read()


@test
def test_btrfs_subvolumes_main_thread_exited_not_deduplicated():
    """Two files with one inode number in two btrfs subvolumes, each mapped by a process whose
    main thread exited: neither file's pages are 'deduplicated'."""
    if platform.machine() not in SYS_EXIT:
        raise Skip(f"exit system call number unknown for {platform.machine()}")
    procs = []
    with same_inode_subvolume_files() as (mnt, files):
        try:
            for path in files:
                c = subprocess.Popen([sys.executable, "-c", MAPPER, path, "main-exit",
                                      str(SYS_EXIT[platform.machine()])],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
                procs.append(c)
                assert c.stdout.readline() == b"ready\n"
            for _ in range(200):
                if all(leader_zombie(c.pid) for c in procs):
                    break
                subprocess.run(["sleep", "0.02"])
            assert all(leader_zombie(c.pid) for c in procs), "setup: a main thread did not exit"
            seen = scan_mappings_of(CTL, files)
            assert all(proc.get("mm_tid") for proc, _ in seen.values()), (
                "setup: a mapper was not read through a thread")
            dedup = {os.path.relpath(k, mnt): m["deduplicated"] for k, (_, m) in seen.items()}
            assert all(v == 0 for v in dedup.values()), (
                f"deduplicated per file: {dedup} (16 pages each resident, different files): "
                f"read through task/TID, map_files (/proc/PID/map_files needs the leader's mm) "
                f"is unreachable, the key falls back to maps' shared (device, inode) and one "
                f"file's pages are hidden from migrate")
        finally:
            for c in procs:
                c.kill()
                c.wait()


# N single-page executable anonymous mappings (each written once, separated by holes).
MANY = ("import ctypes, mmap, sys\n"
        "n = int(sys.argv[1])\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.mmap.restype = ctypes.c_void_p\n"
        "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,"
        " ctypes.c_int, ctypes.c_long]\n"
        "libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]\n"
        "libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]\n"
        "base = libc.mmap(None, 2 * n * 4096, 3, 0x22, -1, 0)\n"
        "assert base not in (None, ctypes.c_void_p(-1).value)\n"
        "for i in range(n):\n"
        "    ctypes.c_char.from_address(base + 2 * i * 4096).value = b'\\xc3'\n"
        "assert libc.mprotect(base, 2 * n * 4096, 5) == 0\n"
        "for i in range(n):\n"
        "    assert libc.munmap(base + (2 * i + 1) * 4096, 4096) == 0\n"
        "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
        "sys.stdin.readline()\n")
N_MANY = 20000


def run_rss(*cmd):
    """Run cmd; (returncode, stdout bytes, peak RSS in KiB of that child)."""
    with tempfile.TemporaryFile() as out:
        c = subprocess.Popen(list(cmd), stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(c.pid, 0)
        c.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return c.returncode, out.read(), usage.ru_maxrss


def many_mappings():
    with open("/proc/sys/vm/max_map_count") as f:
        if int(f.read()) < N_MANY + 1000:
            raise Skip("vm.max_map_count too low")
    c = subprocess.Popen([sys.executable, "-c", MANY, str(N_MANY)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    assert c.stdout.readline() == b"ready\n", "setup: the mapper did not start"
    return c


@test
def test_json_summary_has_totals_only():
    """`scan --summary` is 'totals only (per cgroup and overall)' in JSON too: no per-mapping
    array for a process with 20,000 executable mappings."""
    c = many_mappings()
    try:
        rc, out, _ = run_rss(CTL, "--json", "scan", "--pid", str(c.pid), "--summary")
        assert rc == 0, rc
        doc = json.loads(out)
        n = sum(len(p.get("mappings", [])) for p in doc.get("processes", []))
        assert n == 0, (f"--json scan --summary printed {n} mappings ({len(out)} bytes of "
                        f"JSON); the help says totals only")
    finally:
        c.stdin.close()
        c.wait()


@test
def test_json_memory_flat_in_mappings():
    """--json scan --all of a host with one 20,000-mapping process: peak RSS within 32 MiB of
    the table mode's (measured before: ~5 KiB per mapping, 308 MB for 65,000)."""
    c = many_mappings()
    try:
        rc_t, _, rss_table = run_rss(CTL, "scan", "--all", "--summary")
        rc_j, out, rss_json = run_rss(CTL, "--json", "scan", "--all", "--summary")
        assert rc_t == rc_j, (rc_t, rc_j)
        json.loads(out)
        assert rss_json <= rss_table + 32 * 1024, (
            f"peak RSS: table {rss_table // 1024} MiB, JSON {rss_json // 1024} MiB for one "
            f"process with {N_MANY} executable mappings: the JSON of a whole process is built "
            f"in memory (json-c objects) before it is printed")
    finally:
        c.stdin.close()
        c.wait()


finish("integration-threads-json")
