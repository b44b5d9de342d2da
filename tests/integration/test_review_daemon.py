#!/usr/bin/env python3
"""Hostile-review regressions for cxlpolicyd (issue 8) that this host can show.

- hybrid layout (v1 cpuset + cgroup2 for membership): the daemon reads a governed cgroup's
  members from cgroup2 but writes cpuset.mems into the v1 cpuset cgroup of the same name,
  whose members are others (systemd does not place processes in v1 cpuset cgroups), and
  status then says the mems are written and effective.
(The steady-state cost of sweeping 1,000 idle governed processes is measured by `make bench`,
as a ratio in one run: a timed assertion here would be a timed unit test.)

Usage: test_review_daemon.py PATH/TO/cxlpolicyctl
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import finish, skip, test  # noqa: E402

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RELEASE_DAEMON = os.path.join(REPO, "build", "bin", "cxlpolicyd")
TMP = tempfile.mkdtemp(prefix="cxlp-review-")
os.chmod(TMP, 0o755)
SOCK = os.path.join(TMP, "d.sock")
LOCK = os.path.join(TMP, "mover.lock")
LOG = os.path.join(TMP, "daemon.log")


def ctl(*args):
    return subprocess.run([CTL, *args], capture_output=True, text=True, timeout=120)


def start_daemon(daemon, poldir, *extra):
    return harness.start_daemon(CTL, daemon, poldir, SOCK, LOCK, LOG, *extra, level="info",
                                timeout=60)


def stop_daemon(p):
    harness.stop_daemon(p, timeout=30)
    if os.path.exists(SOCK):
        os.unlink(SOCK)


def status():
    r = ctl("--json", "status", "--socket", SOCK)
    assert r.returncode == 0, (r.returncode, r.stderr)
    return json.loads(r.stdout)


def policy_dir(name, text):
    d = tempfile.mkdtemp(prefix="pol-", dir=TMP)
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
    return d


def members_dir():
    """The cgroup2 mount this host reads memberships from, or None."""
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        return "/sys/fs/cgroup", "unified"
    if os.path.exists("/sys/fs/cgroup/unified/cgroup.controllers"):
        return "/sys/fs/cgroup/unified", "hybrid"
    return None, None


def spawn_in(cgdir, n):
    """n sleep processes, each joining @cgdir before exec (no shell left behind)."""
    procs = []
    for _ in range(n):
        procs.append(subprocess.Popen(
            ["sh", "-c", f'echo $$ > {cgdir}/cgroup.procs && exec sleep 3600'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    deadline = time.time() + 60
    while time.time() < deadline:
        with open(os.path.join(cgdir, "cgroup.procs")) as f:
            if len(f.read().split()) >= n:
                return procs
        time.sleep(0.2)
    raise AssertionError(f"only some of {n} processes joined {cgdir}")


def kill_all(procs):
    for p in procs:
        p.kill()
    for p in procs:
        p.wait()


@test
def test_hybrid_mems_claimed_for_members_outside_the_v1_cpuset():
    if os.geteuid() != 0:
        skip("needs root (cgroups)")
    base, layout = members_dir()
    v1 = "/sys/fs/cgroup/cpuset"
    if layout != "hybrid" or not os.path.isdir(v1):
        skip(f"not a hybrid host with a v1 cpuset hierarchy (layout {layout})")
    name = "cxlp-review-hybrid.slice"
    v2dir, v1dir = os.path.join(base, name), os.path.join(v1, name)
    os.makedirs(v2dir, exist_ok=True)
    os.makedirs(v1dir, exist_ok=True)
    procs = []
    p = None
    try:
        for f in ("cpus", "mems"):
            with open(os.path.join(v1, f"cpuset.{f}")) as src, \
                    open(os.path.join(v1dir, f"cpuset.{f}"), "w") as dst:
                dst.write(src.read())
        # one process only in the cgroup2 cgroup, one in both hierarchies' cgroups
        procs = spawn_in(v2dir, 1)
        both = subprocess.Popen(
            ["sh", "-c", f'echo $$ > {v2dir}/cgroup.procs && echo $$ > {v1dir}/cgroup.procs '
             '&& exec sleep 3600'], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        procs.append(both)
        spawn_deadline = time.time() + 30
        while time.time() < spawn_deadline:
            with open(os.path.join(v1dir, "cgroup.procs")) as f:
                if str(both.pid) in f.read().split():
                    break
            time.sleep(0.1)
        pol = policy_dir("h.json", '{"version": 1, "policies": [{"name": "h", "match": '
                         '{"cgroup": "' + name + '/**"}, "mems": ["dram"], '
                         '"exec": {"interval": "1h"}}]}')
        p = start_daemon(RELEASE_DAEMON if os.path.exists(RELEASE_DAEMON) else
                         os.path.join(os.path.dirname(CTL), "cxlpolicyd"), pol)
        r = ctl("sweep", "--socket", SOCK, "--policy", "h")
        assert r.returncode in (0, 3), (r.returncode, r.stderr)
        st = status()
        cg = {c["cgroup"]: c for c in st["cgroups"]}[name]
        # whoever the status counts as governed must be in the v1 cpuset cgroup it wrote
        assert cg["exec"]["processes"] == 1, (
            f"status counts {cg['exec']['processes']} processes in {name}, but only pid "
            f"{both.pid} is in the v1 cpuset cgroup whose cpuset.mems it writes "
            f"(pid {procs[0].pid} is in the cgroup2 one only): {cg}")
        for pid in (procs[0].pid, both.pid):
            with open(f"/proc/{pid}/cgroup") as f:
                line = [ln for ln in f.read().splitlines() if ln.split(":")[1] == "cpuset"][0]
            print(f"  pid {pid}: cpuset {line.split(':', 2)[2]}")
    finally:
        if p:
            stop_daemon(p)
        kill_all(procs)
        time.sleep(0.2)
        os.rmdir(v2dir)
        os.rmdir(v1dir)


@test
def test_empty_policy_directory_keeps_the_daemon_running():
    """No policy files (a fresh install, or every file removed): the sanitizer build must not
    die (governed.c view_with_carried: memcpy from a NULL policies array, UBSan aborts)."""
    if os.geteuid() != 0:
        skip("needs root (the daemon's cgroup and lock paths)")
    daemon = os.path.join(os.path.dirname(CTL), "cxlpolicyd")
    poldir = os.path.join(TMP, "empty.d")
    os.makedirs(poldir)
    p = start_daemon(daemon, poldir)
    try:
        time.sleep(1.5)
        alive = p.poll() is None
        log = open(LOG).read()
        assert alive and "runtime error" not in log, (
            f"cxlpolicyd with an empty policy directory: "
            f"{'running' if alive else f'exited {p.returncode}'}; log: {log[-600:]}")
        assert status()["policies"] == []
    finally:
        stop_daemon(p)


@test
def test_policy_dir_replaced_is_still_watched():
    """rm -rf + mkdir of the policy directory (config management, a symlink swap): new files
    must still be noticed without a SIGHUP, and after a SIGHUP too."""
    if os.geteuid() != 0:
        skip("needs root (the daemon's cgroup and lock paths)")
    daemon = os.path.join(os.path.dirname(CTL), "cxlpolicyd")
    poldir = os.path.join(TMP, "replaced.d")
    one = '{"version": 1, "policies": [{"name": "%s", "match": {"cgroup": "cxlp-none-%s/**"}, ' \
          '"mems": ["dram"], "exec": {"interval": "10s"}}]}'
    os.makedirs(poldir)
    with open(os.path.join(poldir, "a.json"), "w") as f:
        f.write(one % ("alpha", "a"))
    p = start_daemon(daemon, poldir)

    def names():
        return sorted(x["name"] for x in status()["policies"])

    def wait_names(want, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if names() == want:
                return True
            time.sleep(0.1)
        return False

    try:
        assert names() == ["alpha"]
        subprocess.run(["rm", "-rf", poldir], check=True)
        time.sleep(0.5)
        os.makedirs(poldir)
        with open(os.path.join(poldir, "b.json"), "w") as f:
            f.write(one % ("beta", "b"))
        problems = []
        if not wait_names(["beta"]):
            problems.append(f"b.json written into the recreated directory not picked up within "
                            f"5 s (in force: {names()}, last error: "
                            f"{status()['daemon']['last_reload_error']})")
        p.send_signal(signal.SIGHUP)
        if not wait_names(["beta"]):
            problems.append(f"not even after SIGHUP: {names()}")
        with open(os.path.join(poldir, "c.json"), "w") as f:
            f.write(one % ("gamma", "c"))
        if not wait_names(["beta", "gamma"]):
            problems.append(f"c.json written after the SIGHUP not picked up within 5 s either "
                            f"(in force: {names()}): the inotify watch died with the old "
                            f"directory and is never re-added")
        assert not problems, "; ".join(problems)
    finally:
        stop_daemon(p)


@test
def test_more_members_than_file_descriptors():
    """The daemon keeps a pidfd per member: with a file limit below the member count (some
    containers set the hard limit low), sweeps failed with EMFILE opening cgroup files. Now
    pidfds stop short of the limit (members without one are read as new each sweep) and the
    daemon says so once."""
    if os.geteuid() != 0:
        skip("needs root (cgroups)")
    base, layout = members_dir()
    if base is None:
        skip("no cgroup2 mount")
    name = "cxlp-review-fds.slice"
    dirs = [os.path.join(base, name)]
    v1 = "/sys/fs/cgroup/cpuset"
    if layout == "hybrid" and os.path.isdir(v1):
        dirs.append(os.path.join(v1, name))  # where hybrid hosts read members from
    for d in dirs:
        os.makedirs(d, exist_ok=True)
    if len(dirs) > 1:
        for f in ("cpus", "mems"):
            with open(os.path.join(v1, f"cpuset.{f}")) as src, \
                    open(os.path.join(dirs[1], f"cpuset.{f}"), "w") as dst:
                dst.write(src.read())
    join = " && ".join(f"echo $$ > {d}/cgroup.procs" for d in dirs)
    n = 80
    procs = [subprocess.Popen(["sh", "-c", f"{join} && exec sleep 3600"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(n)]
    p = None
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with open(os.path.join(dirs[-1], "cgroup.procs")) as f:
                if len(f.read().split()) >= n:
                    break
            time.sleep(0.2)
        pol = policy_dir("fd.json", '{"version": 1, "policies": [{"name": "fd", "match": '
                         '{"cgroup": "' + name + '/**"}, "mems": ["dram", "cxl"], '
                         '"exec": {"interval": "1h"}}]}')
        daemon = os.path.join(os.path.dirname(CTL), "cxlpolicyd")
        wrapper = os.path.join(TMP, "limited-daemon")
        with open(wrapper, "w") as f:
            f.write(f"#!/bin/sh\nulimit -n 64 && exec {daemon} \"$@\"\n")
        os.chmod(wrapper, 0o755)
        open(LOG, "w").close()
        p = start_daemon(wrapper, pol)
        for i in range(3):
            r = ctl("sweep", "--socket", SOCK, "--policy", "fd")
            assert r.returncode in (0, 3), (
                f"sweep {i + 1} with {n} members and a file limit of 64: exit {r.returncode}, "
                f"{r.stderr.strip()}; log: {open(LOG).read()[-800:]}")
        pol_st = [x for x in status()["policies"] if x["name"] == "fd"][0]
        assert pol_st["exec"]["processes"] == n, pol_st
        log = open(LOG).read()
        assert "Too many open files" not in log, log[-800:]
        assert log.count("have no pidfd") == 1, log[-800:]
        assert p.poll() is None, f"the daemon exited {p.returncode}"
    finally:
        if p:
            stop_daemon(p)
        kill_all(procs)
        time.sleep(0.2)
        for d in reversed(dirs):
            os.rmdir(d)


finish("integration-review-daemon")
