#!/usr/bin/env python3
"""Integration tests of cxlpolicyd and its clients on this host (issue 8).

The real daemon (ASan build) runs with a temporary policy directory, control socket and mover
lock; cxlpolicyctl apply/status/sweep talk to it over the socket.  What needs several NUMA
nodes (moving pages, cpuset.mems narrowing) is proven in the guest (tests/guest/cases/daemon-*);
here: the socket, authorization, atomic reloads, signals, bad input.

Usage: test_daemon.py PATH/TO/cxlpolicyctl   (cxlpolicyd is taken from the same directory)
"""
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import finish, skip, stop_daemon, test  # noqa: E402

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"
DAEMON = os.path.join(os.path.dirname(CTL), "cxlpolicyd")
TMP = tempfile.mkdtemp(prefix="cxlp-daemon-")
os.chmod(TMP, 0o755)
POLDIR = os.path.join(TMP, "policies.d")
SOCK = os.path.join(TMP, "cxlpolicyd.sock")
LOCK = os.path.join(TMP, "mover.lock")
LOG = os.path.join(TMP, "daemon.log")
# a demoted client cannot reach the build tree when the checkout is private (mktemp -d: 0700)
CTL_FOR_ALL = os.path.join(TMP, "cxlpolicyctl")
shutil.copy2(CTL, CTL_FOR_ALL)
os.chmod(CTL_FOR_ALL, 0o755)
GOOD = ('{"version": 1, "policies": [{"name": "web", "match": {"cgroup": "cxlp-int.slice/**"}, '
        '"mems": ["dram"], "exec": {"interval": "500ms"}}]}')
SECOND = ('{"version": 1, "policies": [{"name": "batch", "match": {"cgroup": "cxlp-batch/**"}, '
          '"mems": ["all"], "exec": {"interval": "1s", "report_only": true}}]}')
BAD = ('{"version": 1, "policies": [{"name": "x", "match": {"cgroup": "a/**"}, '
       '"mems": ["cx1"]}]}')


def ctl(*args, user=None, timeout=60):
    def demote():
        os.setgroups([])
        os.setgid(user)
        os.setuid(user)
    return subprocess.run([CTL if user is None else CTL_FOR_ALL, *args], capture_output=True,
                          text=True, timeout=timeout,
                          preexec_fn=demote if user is not None else None)


def start_daemon(*extra):
    return harness.start_daemon(CTL, DAEMON, POLDIR, SOCK, LOCK, LOG, *extra)


def status():
    r = ctl("--json", "status", "--socket", SOCK)
    assert r.returncode == 0, (r.returncode, r.stderr)
    return json.loads(r.stdout)


def write(name, text, where=None):
    path = os.path.join(where or TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def wait_for(pred, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


if os.geteuid() != 0:
    print("SKIP all: cxlpolicyd tests need root (cgroups, the mover lock, demoting clients)")
    skip_all = True
else:
    skip_all = False
os.makedirs(POLDIR)
write("web.json", GOOD, POLDIR)
DAEMON_PROC = None if skip_all else start_daemon()


@test
def test_status_shows_the_policy_in_force():
    if skip_all:
        skip("not root")
    st = status()
    assert st["daemon"]["pid"] == DAEMON_PROC.pid, st["daemon"]
    assert [p["name"] for p in st["policies"]] == ["web"], st["policies"]
    assert st["policies"][0]["file"] == "web.json"
    assert st["daemon"]["last_reload_error"] is None


@test
def test_bad_apply_changes_nothing():
    if skip_all:
        skip("not root")
    path = write("bad.json", BAD)
    r = ctl("apply", "--socket", SOCK, path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert 'bad.json: policies[0].mems[0]: unknown node class "cx1"' in r.stderr, r.stderr
    assert sorted(os.listdir(POLDIR)) == ["web.json"], os.listdir(POLDIR)
    st = status()
    assert [p["name"] for p in st["policies"]] == ["web"]


@test
def test_apply_with_a_name_clash_changes_nothing():
    if skip_all:
        skip("not root")
    path = write("clash.json", GOOD)  # policy "web" again, in another file
    r = ctl("apply", "--socket", SOCK, path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "web" in r.stderr and "clash.json" in r.stderr, r.stderr
    assert sorted(os.listdir(POLDIR)) == ["web.json"]


@test
def test_dry_run_apply_writes_nothing():
    if skip_all:
        skip("not root")
    path = write("batch.json", SECOND)
    r = ctl("--json", "apply", "--dry-run", "--socket", SOCK, path)
    assert r.returncode == 0, (r.returncode, r.stderr)
    doc = json.loads(r.stdout)
    assert doc["dry_run"] is True and doc["files"] == ["batch.json"], doc
    assert sorted(os.listdir(POLDIR)) == ["web.json"]
    assert [p["name"] for p in status()["policies"]] == ["web"]


@test
def test_apply_installs_and_reloads():
    if skip_all:
        skip("not root")
    path = write("batch.json", SECOND)
    r = ctl("apply", "--socket", SOCK, path)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "applied: 2 policies in force" in r.stdout, r.stdout
    assert sorted(os.listdir(POLDIR)) == ["batch.json", "web.json"], os.listdir(POLDIR)
    with open(os.path.join(POLDIR, "batch.json")) as f:
        assert f.read() == SECOND
    assert [p["name"] for p in status()["policies"]] == ["batch", "web"]


@test
def test_governed_cgroup_and_why():
    if skip_all:
        skip("not root")
    st = status()
    layout = st["daemon"]["cgroup_layout"]
    # the governed tree is where cpuset.mems lives: cgroup2 when unified, the v1 cpuset
    # hierarchy on hybrid and legacy hosts
    base = "/sys/fs/cgroup" if layout == "unified" else "/sys/fs/cgroup/cpuset"
    if layout is None or not os.path.isdir(base):
        skip(f"no cpuset hierarchy here (layout {layout})")
    path = os.path.join(base, "cxlp-int.slice", "leaf")
    os.makedirs(path, exist_ok=True)
    try:
        r = ctl("sweep", "--socket", SOCK, "--policy", "web")
        assert r.returncode in (0, 3), (r.returncode, r.stderr)
        st = status()
        cgs = {c["cgroup"]: c for c in st["cgroups"]}
        assert "cxlp-int.slice/leaf" in cgs, list(cgs)
        c = cgs["cxlp-int.slice/leaf"]
        assert c["policy"] == "web", c
        assert 'cgroup glob "cxlp-int.slice/**"' in c["why"], c["why"]
    finally:
        os.rmdir(path)
        os.rmdir(os.path.dirname(path))


@test
def test_broken_file_on_disk_keeps_previous_set():
    if skip_all:
        skip("not root")
    write("zz-broken.json", '{"version": 1, "policies": [', POLDIR)
    try:
        DAEMON_PROC.send_signal(signal.SIGHUP)
        wait_for(lambda: status()["daemon"]["last_reload_error"] is not None, "a reload error")
        st = status()
        assert "zz-broken.json" in st["daemon"]["last_reload_error"], st["daemon"]
        assert [p["name"] for p in st["policies"]] == ["batch", "web"]
    finally:
        os.unlink(os.path.join(POLDIR, "zz-broken.json"))
    # the directory watch reloads on the removal: the error goes
    wait_for(lambda: status()["daemon"]["last_reload_error"] is None, "the error to clear")


@test
def test_non_root_may_read_but_not_change():
    if skip_all:
        skip("not root")
    nobody = pwd.getpwnam("nobody").pw_uid
    r = ctl("status", "--socket", SOCK, user=nobody)
    assert r.returncode == 0, (r.returncode, r.stderr)
    path = write("nobody.json", SECOND.replace("batch", "nobodys"))
    os.chmod(path, 0o644)
    r = ctl("apply", "--socket", SOCK, path, user=nobody)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "uid" in r.stderr, r.stderr
    r = ctl("sweep", "--socket", SOCK, user=nobody)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "nobody.json" not in os.listdir(POLDIR)


@test
def test_garbage_requests_get_errors_and_the_daemon_lives():
    if skip_all:
        skip("not root")
    for payload in [b"\xff\xfe garbage", b"{}", b'{"version": 1, "command": "rm -rf"}',
                    b"[" * 100000, b'{"version":1,"command":"status","args":{"cgroup":5}}']:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(SOCK)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
        s.close()
        doc = json.loads(reply)
        assert doc["ok"] is False and doc["error"], doc
    assert DAEMON_PROC.poll() is None
    assert status()["daemon"]["pid"] == DAEMON_PROC.pid


@test
def test_no_daemon_is_a_clear_error():
    if skip_all:
        skip("not root")
    r = ctl("status", "--socket", os.path.join(TMP, "nothing.sock"))
    assert r.returncode == 1, r.returncode
    assert "cxlpolicyd is not running" in r.stderr, r.stderr


@test
def test_sigterm_stops_cleanly():
    if skip_all:
        skip("not root")
    rc = stop_daemon(DAEMON_PROC)
    assert rc == 0, (rc, open(LOG).read()[-3000:])
    log = open(LOG).read()
    assert "ERROR: AddressSanitizer" not in log and "runtime error" not in log, log[-3000:]


@test
def test_restart_rebuilds_from_the_system():
    if skip_all:
        skip("not root")
    p = start_daemon()
    try:
        assert [x["name"] for x in status()["policies"]] == ["batch", "web"]
    finally:
        assert stop_daemon(p) == 0


finish("integration-daemon")
