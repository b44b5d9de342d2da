#!/usr/bin/env python3
"""Integration tests of `cxlpolicyctl warm FILE...` and `run --policy` input checks (issue 8).

On this host (one node, all DRAM) every page ends on DRAM: the counts must add up to the
file's pages and the exit status is 0.  Bad inputs (a directory, a FIFO that must not block,
a device, a missing file) exit 2.  Moving pages off a slow node is tested in the guest
(tests/guest/cases/warm.sh).

Usage: test_warm.py PATH/TO/cxlpolicyctl
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import finish, test  # noqa: E402

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"
TMP = tempfile.mkdtemp(prefix="cxlp-warm-")
PAGE = os.sysconf("SC_PAGE_SIZE")


def ctl(*args, timeout=60):
    env = dict(os.environ)
    env.pop("CXLPOLICY_SYSROOT", None)
    return subprocess.run([CTL, *args], capture_output=True, text=True, timeout=timeout, env=env)


def make_file(name, size):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(os.urandom(size))
        f.flush()
        os.fsync(f.fileno())
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return path


def warm_json(*paths):
    p = ctl("--json", "warm", *paths)
    return p, json.loads(p.stdout) if p.stdout else None


@test
def test_counts_add_up_and_exit_0():
    size = 3 * PAGE * 100 + 123
    path = make_file("data", size)
    p, doc = warm_json(path)
    assert p.returncode == 0, (p.returncode, p.stderr)
    f = doc["files"][0]
    pages = (size + PAGE - 1) // PAGE
    assert f["path"] == path and f["size"] == size and f["pages"] == pages, f
    assert f["already_dram"] + f["faulted"] + f["moved"] + f["left_cxl"] + f["unknown"] == pages, f
    assert f["left_cxl"] == 0 and f["unknown"] == 0 and f["moved"] == 0, f  # one DRAM node here
    assert f["left_errno"] is None, f


@test
def test_second_warm_finds_everything_cached_on_dram():
    path = make_file("again", 64 * PAGE)
    p, _ = warm_json(path)
    assert p.returncode == 0, p.stderr
    p, doc = warm_json(path)
    f = doc["files"][0]
    if not f["residency_visible"]:
        return  # mincore hides other users' page cache; this file is ours, so it never happens
    # the first run read every page in, so the second finds all of them cached on DRAM
    assert f["already_dram"] == 64 and f["faulted"] == 0, f


@test
def test_table_output():
    path = make_file("table", 10 * PAGE)
    p = ctl("warm", path)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["PAGES", "ALREADY_DRAM", "FAULTED", "MOVED", "LEFT_CXL",
                                "UNKNOWN", "FILE"], lines
    cols = lines[1].split()
    assert cols[0] == "10" and int(cols[1]) + int(cols[2]) == 10 and cols[-1] == path, lines


@test
def test_empty_file_is_ok():
    path = os.path.join(TMP, "empty")
    open(path, "w").close()
    p, doc = warm_json(path)
    assert p.returncode == 0, p.stderr
    assert doc["files"][0]["pages"] == 0, doc


@test
def test_windows_cover_a_file_larger_than_one_window():
    # 16 MiB windows: 20 MiB + a bit spans two windows and a partial page
    size = 20 * 1024 * 1024 + 5
    path = make_file("big", size)
    p, doc = warm_json(path)
    assert p.returncode == 0, p.stderr
    f = doc["files"][0]
    assert f["pages"] == (size + PAGE - 1) // PAGE, f
    assert f["already_dram"] + f["faulted"] == f["pages"], f


@test
def test_bad_inputs_exit_2():
    fifo = os.path.join(TMP, "fifo")
    os.mkfifo(fifo)
    good = make_file("good", PAGE)
    for bad, why in ((TMP, "a directory"), (fifo, "not a regular file"),
                     ("/dev/zero", "not a regular file"), (os.path.join(TMP, "missing"), "No such")):
        p = ctl("warm", bad, timeout=20)  # a FIFO must not block: timeout would raise
        assert p.returncode == 2, (bad, p.returncode, p.stderr)
        assert why in p.stderr, (bad, p.stderr)
    # one bad among good ones: the good one is still warmed and reported, exit 2
    p, doc = warm_json(good, fifo)
    assert p.returncode == 2, p.returncode
    assert doc["files"][0]["pages"] == 1 and "error" in doc["files"][1], doc
    p = ctl("warm")
    assert p.returncode == 2 and "missing FILE" in p.stderr, p.stderr


@test
def test_run_policy_input_errors():
    d = os.path.join(TMP, "policies.d")
    os.mkdir(d)
    with open(os.path.join(d, "a.json"), "w") as f:
        f.write('{"version": 1, "policies": [{"name": "many", "match": {"cgroup": '
                '"cxlp-test.slice/**"}, "mems": ["dram"]}]}')
    cases = [
        (["--policy", "nope", "--policy-dir", d], "no policy \"nope\""),
        (["--policy", "many", "--policy-dir", d], "give --cgroup"),
        (["--policy", "many", "--policy-dir", d, "--cgroup", "other.slice"], "not governed"),
        (["--policy", "many", "--policy-dir", d, "--cgroup", "/sys/fs/cgroup/cxlp-test.slice/x"],
         "does not create cgroups"),
        (["--policy", "many", "--membind", "0"], "exclude each other"),
        (["--cgroup", "x"], "need --policy"),
        (["--policy", "many", "--policy-dir", os.path.join(TMP, "nodir")], "cannot open"),
    ]
    for args, want in cases:
        p = ctl("run", *args, "--", "true")
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert want in p.stderr, (args, p.stderr)
    # a bad file in the directory fails the whole load, named
    with open(os.path.join(d, "b.json"), "w") as f:
        f.write("{")
    p = ctl("run", "--policy", "many", "--policy-dir", d, "--", "true")
    assert p.returncode == 2 and "b.json" in p.stderr, p.stderr


try:
    finish("integration-warm")
finally:
    shutil.rmtree(TMP, ignore_errors=True)
