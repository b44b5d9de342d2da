"""A loop-mounted btrfs with two subvolumes, each holding a different 64 KiB "lib.so" with the
same inode number: two files that /proc/PID/maps shows under one (device, inode)."""
import contextlib
import json
import os
import shutil
import subprocess
import tempfile

from harness import Skip


def _run(*cmd):
    return subprocess.run(list(cmd), capture_output=True, timeout=120)


@contextlib.contextmanager
def same_inode_subvolume_files():
    """Yield (mount point, [path in subvolume a, path in subvolume b]); Skip where it cannot."""
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
    mounted = False
    try:
        with open(img, "wb") as f:
            f.truncate(300 << 20)
        p = _run("mkfs.btrfs", "-q", "-f", img)
        assert p.returncode == 0, p.stderr
        p = _run("mount", "-o", "loop", img, mnt)
        if p.returncode != 0:
            raise Skip(f"cannot loop-mount here: {p.stderr.decode().strip()}")
        mounted = True
        files = []
        for sub in ("a", "b"):
            p = _run("btrfs", "subvolume", "create", os.path.join(mnt, sub))
            assert p.returncode == 0, p.stderr
            path = os.path.join(mnt, sub, "lib.so")
            with open(path, "wb") as f:
                f.write(os.urandom(16 * 4096))
            files.append(path)
        sta, stb = os.stat(files[0]), os.stat(files[1])
        if sta.st_ino != stb.st_ino:
            raise Skip(f"inode numbers differ here ({sta.st_ino}, {stb.st_ino})")
        yield mnt, files
    finally:
        if mounted:
            _run("umount", mnt)
        shutil.rmtree(d, ignore_errors=True)


def scan_mappings_of(ctl, files):
    """`scan --all --mappings --json`: {path: (process, mapping)} for each of @files."""
    p = _run(ctl, "--json", "scan", "--all", "--mappings")
    assert p.returncode in (0, 1), p.stderr
    seen = {}
    for proc in json.loads(p.stdout)["processes"]:
        for m in proc.get("mappings", []):
            if m.get("path") in files:
                seen[m["path"]] = (proc, m)
    assert set(seen) == set(files), f"mappings found: {sorted(seen)}"
    return seen
