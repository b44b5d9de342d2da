#!/usr/bin/env python3
"""Host integration tests of the dedupe key of shared text (found in the review of issue 7).

A shared page-cache page is recognised by (device, inode, file page) as /proc/PID/maps
shows them. On btrfs every subvolume of one filesystem shows the same device there (the
superblock's), and inode numbers restart in each subvolume (and are kept by snapshots, which
is what container layers are): two different files, with different page cache, share a key.

Usage: test_review.py PATH/TO/cxlpolicyctl
Prints "PASS name", "FAIL name: why" or "SKIP name: why" per test and a closing
"integration-dedupe: N passed, N failed" (", N skipped" added when any skipped); with CI
set, a skip fails the run.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, finish, results, skip, test  # noqa: E402,F401
from btrfs import same_inode_subvolume_files, scan_mappings_of  # noqa: E402

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"


def run(*cmd):
    return subprocess.run(list(cmd), capture_output=True, timeout=120)


# Maps a file PROT_READ|PROT_EXEC like a loader maps a library's text, faults every page.
MAPPER = ("import mmap, os, sys\n"
          "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
          "n = os.fstat(fd).st_size\n"
          "m = mmap.mmap(fd, n, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC)\n"
          "s = sum(m[i] for i in range(0, n, 4096))\n"
          "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
          "sys.stdin.readline()\n")


@test
def test_btrfs_subvolumes_same_inode_are_not_deduplicated():
    """Two files with one inode number in two btrfs subvolumes: the second is not 'deduplicated'."""
    procs = []
    with same_inode_subvolume_files() as (mnt, files):
        try:
            for path in files:
                c = subprocess.Popen([sys.executable, "-c", MAPPER, path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
                procs.append(c)
                assert c.stdout.readline() == b"ready\n"
            keys = set()
            for c, path in zip(procs, files):
                with open(f"/proc/{c.pid}/maps") as f:
                    line = next(x for x in f if x.rstrip().endswith(path))
                keys.add(tuple(line.split()[3:5]))
            # The premise: maps shows one (device, inode) for both files.
            if len(keys) != 1:
                raise Skip(f"maps shows distinct keys here: {keys}")
            seen = scan_mappings_of(CTL, files)
            # Different files, different page cache: no page of either was settled by the other.
            dedup = {os.path.relpath(k, mnt): m["deduplicated"] for k, (_, m) in seen.items()}
            assert all(v == 0 for v in dedup.values()), (
                f"maps key {keys.pop()} is shared by two different files; deduplicated per "
                f"file: {dedup} (16 pages each resident): the second file's pages are hidden, "
                f"so on CXL they are never moved nor counted")
        finally:
            for c in procs:
                c.kill()
                c.wait()


# A JIT-style anonymous rwx region written before fork(): parent and children map the same
# physical pages (copy-on-write, never written after the fork).
FORKER = ("import mmap, os, sys, time\n"
          "m = mmap.mmap(-1, 64 * 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,\n"
          "              prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
          "for i in range(64):\n"
          "    m[i * 4096] = 1\n"
          "kids = []\n"
          "for k in range(3):\n"
          "    pid = os.fork()\n"
          "    if pid == 0:\n"
          "        time.sleep(600)\n"
          "        os._exit(0)\n"
          "    kids.append(pid)\n"
          "print(*kids, flush=True)\n"
          "sys.stdin.readline()\n"
          "for k in kids:\n"
          "    os.kill(k, 9)\n")


@test
def test_fork_shared_anon_text_counted_once():
    """SCHEMA: totals' cxl_pages count each physical page on CXL once per run. Anonymous
    exec pages shared copy-on-write after fork() are one set of physical pages: the children
    add nothing (every node is declared CXL with --cxl-nodes, so every page is 'on CXL')."""
    nodes = sorted(int(n[4:]) for n in os.listdir("/sys/devices/system/node")
                   if n.startswith("node") and n[4:].isdigit())
    c = subprocess.Popen([sys.executable, "-c", FORKER], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    try:
        kids = [int(x) for x in c.stdout.readline().split()]
        assert len(kids) == 3, kids
        p = run(CTL, "--cxl-nodes", ",".join(map(str, nodes)), "--json", "scan", "--all",
                "--mappings")
        assert p.returncode in (0, 1), p.stderr
        out = json.loads(p.stdout)
        procs = {x["pid"]: x for x in out["processes"]}
        parent = procs[c.pid]
        anon = [m for m in parent["mappings"] if m["kind"] != "file" and m["pages"] == 64]
        assert anon and anon[0]["cxl_pages"] == 64, f"setup: parent's region: {anon}"
        counted = {k: procs[k]["totals"]["cxl_pages"] for k in kids}
        assert all(v == 0 for v in counted.values()), (
            f"the 64 fork-shared anonymous exec pages are counted again in each child's "
            f"totals.cxl_pages: {counted} (parent {parent['totals']['cxl_pages']}); the run "
            f"total counts them {1 + sum(1 for v in counted.values() if v >= 64)} times")
    finally:
        c.kill()
        c.wait()
        for k in locals().get("kids", []):
            try:
                os.kill(k, 9)
            except ProcessLookupError:
                pass


finish("integration-dedupe")
