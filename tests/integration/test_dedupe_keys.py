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
import shutil
import subprocess
import sys
import tempfile

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"
results = {"passed": 0, "failed": 0, "skipped": 0}


class Skip(Exception):
    """A precondition of the test does not hold here: reported as SKIP, never as PASS."""


def test(fn):
    name = fn.__name__.split("test_", 1)[1]
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
    return fn


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
    if os.geteuid() != 0:
        raise Skip("needs root to mount a loop btrfs")
    with open("/proc/filesystems") as f:
        if "btrfs" not in f.read().split():
            raise Skip("the kernel has no btrfs")
    if not shutil.which("mkfs.btrfs") or not shutil.which("btrfs"):
        raise Skip("btrfs-progs not installed (mkfs.btrfs, btrfs)")
    d = tempfile.mkdtemp(prefix="cxlp-btrfs-")
    img, mnt = os.path.join(d, "img"), os.path.join(d, "mnt")
    os.mkdir(mnt)
    procs = []
    mounted = False
    try:
        with open(img, "wb") as f:
            f.truncate(300 << 20)
        p = run("mkfs.btrfs", "-q", "-f", img)
        assert p.returncode == 0, p.stderr
        p = run("mount", "-o", "loop", img, mnt)
        if p.returncode != 0:
            raise Skip(f"cannot loop-mount here: {p.stderr.decode().strip()}")
        mounted = True
        files = []
        for sub in ("a", "b"):
            p = run("btrfs", "subvolume", "create", os.path.join(mnt, sub))
            assert p.returncode == 0, p.stderr
            path = os.path.join(mnt, sub, "lib.so")
            with open(path, "wb") as f:
                f.write(os.urandom(16 * 4096))
            files.append(path)
        sta, stb = os.stat(files[0]), os.stat(files[1])
        if sta.st_ino != stb.st_ino:
            raise Skip(f"inode numbers differ here ({sta.st_ino}, {stb.st_ino})")
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
        p = run(CTL, "--json", "scan", "--all", "--mappings")
        assert p.returncode in (0, 1), p.stderr
        out = json.loads(p.stdout)
        seen = {}
        for proc in out["processes"]:
            for m in proc.get("mappings", []):
                if m.get("path") in files:
                    seen[m["path"]] = m
        assert set(seen) == set(files), f"mappings found: {sorted(seen)}"
        # Different files, different page cache: no page of either was settled by the other.
        dedup = {os.path.relpath(k, mnt): v["deduplicated"] for k, v in seen.items()}
        assert all(v == 0 for v in dedup.values()), (
            f"maps key {keys.pop()} is shared by two different files; deduplicated per file: "
            f"{dedup} (16 pages each resident): the second file's pages are hidden, so on CXL "
            f"they are never moved nor counted")
    finally:
        for c in procs:
            c.kill()
            c.wait()
        if mounted:
            run("umount", mnt)
        shutil.rmtree(d, ignore_errors=True)


skipped = f", {results['skipped']} skipped" if results["skipped"] else ""
print(f"integration-dedupe: {results['passed']} passed, {results['failed']} failed{skipped}")
if results["skipped"] and os.environ.get("CI"):
    print("integration-dedupe: a SKIP is a failure when CI is set")
    sys.exit(1)
sys.exit(1 if results["failed"] else 0)
