#!/usr/bin/env python3
"""Host integration tests for cxlpolicyctl: real /proc, real sysfs, real move_pages.

Usage: test_cli.py PATH/TO/cxlpolicyctl
Prints one line per test (PASS name, FAIL name: why, SKIP name: why) and a closing
"integration: N passed, N failed, N skipped". A test that cannot run here calls
skip(reason); a skip is never a pass, and with $CI set any skip fails the run (these tests
run only on the host: a check this host cannot make belongs in a guest case).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, finish, results, skip, test  # noqa: E402,F401

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(TOP, "tests", "fixtures")


def ctl(*args, user=None):
    cmd = [CTL, *args]
    if user:
        cmd = ["setpriv", "--reuid", str(user), "--regid", str(user), "--clear-groups", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def ctl_json(*args):
    p = ctl("--json", *args)
    if p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def expect_exit(p, code, pattern):
    assert p.returncode == code, f"exit {p.returncode}, wanted {code}; stderr: {p.stderr.strip()}"
    assert re.search(pattern, p.stderr), f"stderr {p.stderr.strip()!r} lacks {pattern!r}"


def numa_maps_by_start(pid):
    """Pages per node of each mapping, keyed by start address, from numa_maps."""
    out = {}
    with open(f"/proc/{pid}/numa_maps") as f:
        for line in f:
            fields = line.split()
            nodes = {}
            for fld in fields[2:]:
                m = re.fullmatch(r"N(\d+)=(\d+)", fld)
                if m:
                    nodes[int(m.group(1))] = int(m.group(2))
            out[int(fields[0], 16)] = nodes
    return out


class Sleeper:
    """A child that stays put while we look at it."""

    def __enter__(self):
        self.p = subprocess.Popen(["sleep", "600"])
        # Wait until it sleeps in nanosleep: exec and dynamic loading are over, so no
        # page of it faults in while a test compares before and after.
        for _ in range(500):
            with open(f"/proc/{self.p.pid}/wchan") as f:
                if "nanosleep" in f.read():
                    break
            time.sleep(0.01)
        else:
            raise AssertionError(f"sleep {self.p.pid} never reached nanosleep")
        return self.p.pid

    def __exit__(self, *exc):
        self.p.kill()
        self.p.wait()


def vanished_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


@test
def test_nodes_table_and_json_agree():
    p = ctl("nodes")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("NODE  CLASS"), p.stdout[:80]
    data = ctl_json("nodes")
    online = open("/sys/devices/system/node/online").read().strip()
    assert data["nodes"], "no nodes"
    assert data["nodes"][0]["node"] == int(re.split("[-,]", online)[0])
    for n in data["nodes"]:
        assert n["class"] in ("dram", "cxl"), n
        assert n["evidence"], f"node {n['node']} has no evidence"
        assert f"\n{n['node']:<5} {n['class']:<5}" in "\n" + p.stdout, n


@test
def test_scan_child_agrees_with_numa_maps():
    with Sleeper() as pid:
        data = ctl_json("scan", "--pid", str(pid))
        truth = numa_maps_by_start(pid)
    (proc,) = data["processes"]
    assert proc["pid"] == pid and proc["comm"] == "sleep", proc
    paths = [m["path"] for m in proc["mappings"]]
    assert any(p.endswith("/sleep") for p in paths), paths
    for m in proc["mappings"]:
        if m["kind"] == "special":
            continue  # numa_maps does not count [vdso] pages
        want = truth[int(m["start"], 16)]
        got = {int(k): v for k, v in m["nodes"].items()}
        assert got == want, f"{m['path']}: scan {got} numa_maps {want}"
        assert m["resident"] == sum(want.values())
    total = sum(m["resident"] for m in proc["mappings"])
    assert any(m["kind"] == "file" and m["resident"] for m in proc["mappings"])
    assert total > 0 and proc["totals"]["resident"] == total


@test
def test_scan_only_executable_mappings():
    with Sleeper() as pid:
        data = ctl_json("scan", "--pid", str(pid))
        maps = open(f"/proc/{pid}/maps").read().splitlines()
    exec_starts = {int(l.split("-")[0], 16) for l in maps
                   if l.split()[1][2] == "x" and "[vsyscall]" not in l}
    got = {int(m["start"], 16) for m in data["processes"][0]["mappings"]}
    assert got == exec_starts, (got ^ exec_starts)


@test
def test_maps_methods_agree():
    with Sleeper() as pid:
        a = ctl_json("--maps-method", "text", "scan", "--pid", str(pid))
        b = ctl_json("scan", "--pid", str(pid))
    strip = lambda d: [(m["start"], m["end"], m["perms"], m["path"], m["inode"], m["offset"])
                       for m in d["processes"][0]["mappings"]]
    assert strip(a) == strip(b), (strip(a), strip(b))
    assert a["maps_method"] == "text"
    print(f"  (maps method on this kernel: {b['maps_method']})")


@test
def test_shared_text_counted_once_in_all_mode():
    """Each process reports what it really has resident; shared pages are queried once."""
    with Sleeper() as p1, Sleeper() as p2:
        data = ctl_json("scan", "--all")
        truth = {p: numa_maps_by_start(p) for p in (p1, p2)}
    procs = {p["pid"]: p for p in data["processes"]}
    a, b = procs[p1], procs[p2]
    second = b if p1 < p2 else a
    sleep_map = lambda p: next(m for m in p["mappings"] if m["path"].endswith("/sleep"))
    for p in (a, b):
        m = sleep_map(p)
        want = sum(truth[p["pid"]][int(m["start"], 16)].values())
        assert m["resident"] == want, (m, want)  # not hidden by the other sleeper
        assert sum(m["nodes"].values()) == m["resident"], m
    m = sleep_map(second)
    assert 0 < m["deduplicated"] <= m["resident"], m
    assert data["totals"]["deduplicated"] > 0


@test
def test_scan_all_summary():
    p = ctl("scan", "--all", "--summary")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^total: \d+ processes, \d+ executable mappings", p.stdout, re.M), p.stdout


@test
def test_scan_cgroup_of_self():
    cg = open("/proc/self/cgroup").read().splitlines()[-1].split("::", 1)[-1] or "/"
    data = ctl_json("scan", "--cgroup", cg)
    pids = {p["pid"] for p in data["processes"]}
    assert os.getpid() in pids, f"{os.getpid()} not in {sorted(pids)[:10]}"
    assert data["cgroups"] and data["totals"]["processes"] >= 1


@test
def test_migrate_dry_run_moves_nothing():
    with Sleeper() as pid:
        before = numa_maps_by_start(pid)
        data = ctl_json("migrate", "--pid", str(pid), "--dry-run")
        after = numa_maps_by_start(pid)
    assert data["dry_run"] is True, data
    changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
    assert not changed, changed
    cxl = data["totals"]["cxl_pages"]
    assert data["moved_pages"] == cxl, data
    nodes = ctl_json("nodes")
    if not nodes["cxl_nodes"]:
        print("  NOTE: one NUMA node here: moving pages between nodes is proven by the guest tests")


@test
def test_migrate_on_single_node_is_a_clean_no_op():
    with Sleeper() as pid:
        data = ctl_json("migrate", "--pid", str(pid))
    if ctl_json("nodes")["cxl_nodes"]:
        print("  NOTE: this host has CXL nodes; skipping the single-node expectation")
        return
    assert data["moved_pages"] == 0 and data["failed_pages"] == 0, data


@test
def test_bad_pid_is_usage_error():
    for bad in ("abc", "0", "-5", "12x", "99999999999"):
        expect_exit(ctl("scan", "--pid", bad), 2, r"invalid --pid")


@test
def test_vanished_pid_is_runtime_error():
    pid = vanished_pid()
    expect_exit(ctl("scan", "--pid", str(pid)), 1, rf"no such process: {pid}")
    expect_exit(ctl("migrate", "--pid", str(pid)), 1, rf"no such process: {pid}")


@test
def test_usage_errors():
    expect_exit(ctl("frobnicate"), 2, r"unknown verb")
    expect_exit(ctl("scan"), 2, r"give one of --pid")
    expect_exit(ctl("scan", "--all", "--pid", "1"), 2, r"exactly one")
    expect_exit(ctl("migrate", "--all", "--max-bytes", "lots"), 2, r"invalid --max-bytes")
    expect_exit(ctl("scan", "--all", "--dry-run"), 2, r"belongs to migrate")
    expect_exit(ctl("--cxl-nodes", "2-1", "nodes"), 2, r"invalid --cxl-nodes")
    expect_exit(ctl("scan", "--cgroup", "no/such.slice"), 2, r"not found")
    expect_exit(ctl("run", "--membind", "0"), 2, r"missing COMMAND")


@test
def test_permission_denied_names_the_fix():
    with Sleeper() as pid:
        p = ctl("scan", "--pid", str(pid), user=65534)
    expect_exit(p, 1, rf"permission denied .*{pid}.*run as root")


@test
def test_sysroot_fixture_classification():
    data = ctl_json("--sysroot", os.path.join(FIXTURES, "server-2s-cxl"), "nodes")
    assert data["cxl_nodes"] == "2-3" and data["dram_nodes"] == "0-1", data
    near = {n["node"]: n["nearest_dram"] for n in data["nodes"]}
    assert near[2] == 0 and near[3] == 1, near


@test
def test_garbage_sysfs_is_a_clear_error():
    p = ctl("--sysroot", os.path.join(FIXTURES, "garbage"), "nodes")
    expect_exit(p, 2, r"garbage/sys/devices/system/node/\S+: expected")


@test
def test_override_wins():
    data = ctl_json("--cxl-nodes", "0", "nodes")
    assert data["cxl_nodes"] == "0" and "override" in data["nodes"][0]["evidence"][0]


@test
def test_run_sets_membind():
    p = subprocess.run([CTL, "run", "--membind", "0", "--", "grep", "Mems_allowed_list",
                        "/proc/self/status"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([CTL, "run", "--membind", "0", "--", "cat", "/proc/self/numa_maps"],
                       capture_output=True, text=True)
    assert p.returncode == 0 and " bind:0 " in p.stdout, p.stdout[:300]
    expect_exit(ctl("run", "--membind", "0", "--", "/no/such/binary"), 127, r"cannot execute")


finish("integration")
