#!/usr/bin/env python3
"""Host integration tests for cxlpolicyctl's command line and hostile input.

Options before and after the verb, --help on every verb, --version, exit 2 for bad
usage and bad input, and bytes a user or a process controls (newlines, ANSI escapes,
invalid UTF-8) never reaching the terminal raw.

Usage: test_cli_input.py PATH/TO/cxlpolicyctl
Prints "PASS name", "FAIL name: why" or "SKIP name: why" per test and a closing
"integration-input: N passed, N failed" (", N skipped" added when any skipped).

"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, finish, results, skip, test  # noqa: E402,F401

CTL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin/cxlpolicyctl"
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(TOP, "tests", "fixtures")
VERBS = ("nodes", "scan", "migrate", "run")


def ctl(*args, env=None, user=None, prefix=()):
    """Run the CLI; args may be str or bytes.  Output is bytes: raw bytes are the point."""
    cmd = [*prefix, CTL, *args]
    if user is not None:
        cmd = ["setpriv", "--reuid", str(user), "--regid", str(user), "--clear-groups", "--",
               *cmd]
    full_env = dict(os.environ)
    full_env.pop("CXLPOLICY_SYSROOT", None)
    full_env.update(env or {})
    return subprocess.run(cmd, capture_output=True, timeout=60, env=full_env)


def expect_exit(p, code, pattern=None):
    err = p.stderr.decode(errors="backslashreplace")
    assert p.returncode == code, f"exit {p.returncode}, wanted {code}; stderr: {err.strip()}"
    if pattern:
        assert re.search(pattern, err), f"stderr {err.strip()!r} lacks {pattern!r}"


def assert_no_raw_control(data, what):
    """No C0 control but newline/tab, no DEL, no C1 control, and valid UTF-8."""
    bad = re.search(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", data)
    assert not bad, f"{what} has raw byte {bad.group()!r}: {data[:300]!r}"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssertionError(f"{what} is not UTF-8 ({e}): {data[:300]!r}")


def assert_one_escaped_line(p, what):
    """stderr is one line, with no raw control byte: nothing in it could forge a second line."""
    assert_no_raw_control(p.stderr, f"{what}: stderr")
    assert p.stderr.count(b"\n") == 1 and p.stderr.endswith(b"\n"), \
        f"{what}: stderr is not one line: {p.stderr!r}"


HOSTILE = [
    "1\x1b[31m",                 # colour
    "\x1b]0;owned\x07",          # set the terminal's title
    "x\n1 fake   9",             # a forged table row (issue 7 item 12)
    "2\r\x1b[2K",                # erase the line
    b"3\xff\xfe",                # not UTF-8
    b"4\xc0\x8a",                # an overlong newline
    "5\u009b31m",               # C1 CSI
    "6\u202eevil",              # bidi override
]


class Sleeper:
    """A child that stays put while we look at it."""

    def __init__(self, argv=("sleep", "600"), ready=b"sleep", **kw):
        self.argv, self.ready, self.kw = argv, ready, kw

    def __enter__(self):
        self.p = subprocess.Popen(list(self.argv), **self.kw)
        # Ready when exec is done (its maps name @ready) and it sleeps: the dynamic loader
        # maps libraries without sleeping, so no mapping changes after that.
        for _ in range(500):
            with open(f"/proc/{self.p.pid}/maps", "rb") as f:
                maps = f.read()
            with open(f"/proc/{self.p.pid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
            if self.ready in maps and state == b"S":
                break
            time.sleep(0.01)
        else:
            raise AssertionError(f"child {self.argv} never mapped {self.ready!r} and slept")
        return self.p.pid

    def __exit__(self, *exc):
        self.p.kill()
        self.p.wait()


# A comm a process can give itself (15 bytes at most): a newline, a fake row and colour.
HOSTILE_COMM = b"x\n1 \x1b[31mfake"


class NamedChild:
    """A python child that renames itself (prctl PR_SET_NAME) to HOSTILE_COMM."""

    CODE = ("import ctypes, sys, time\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            f"assert libc.prctl(15, ctypes.c_char_p({HOSTILE_COMM!r}), 0, 0, 0) == 0\n"
            "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
            "time.sleep(600)\n")

    def __enter__(self):
        self.p = subprocess.Popen([sys.executable, "-c", self.CODE], stdout=subprocess.PIPE)
        line = self.p.stdout.readline()
        assert line == b"ready\n", f"child said {line!r}"
        with open(f"/proc/{self.p.pid}/comm", "rb") as f:
            comm = f.read()
        assert comm == HOSTILE_COMM + b"\n", f"comm is {comm!r}"
        return self.p.pid

    def __exit__(self, *exc):
        self.p.kill()
        self.p.wait()


# -- options before and after the verb -------------------------------------------------

@test
def test_global_options_after_the_verb():
    fixture = os.path.join(FIXTURES, "server-2s-cxl")
    for args in (("--json", "--sysroot", fixture, "nodes"),
                 ("nodes", "--json", "--sysroot", fixture),
                 ("--json", "nodes", f"--sysroot={fixture}"),
                 ("nodes", "--sysroot", fixture, "--json", "--cxl-nodes", "3")):
        p = ctl(*args)
        expect_exit(p, 0)
        data = json.loads(p.stdout)
        want = "3" if "--cxl-nodes" in args else "2-3"
        assert data["cxl_nodes"] == want, (args, data["cxl_nodes"])
    # after the verb, the table is the default as before
    p = ctl("nodes", "--sysroot", fixture)
    expect_exit(p, 0)
    assert p.stdout.startswith(b"NODE  CLASS"), p.stdout[:80]


@test
def test_global_options_after_scan_verb_options():
    with Sleeper() as pid:
        p = ctl("scan", "--pid", str(pid), "--json", "--maps-method", "text", "--sysroot", "/")
    expect_exit(p, 0)
    data = json.loads(p.stdout)
    assert data["maps_method"] == "text", data["maps_method"]
    assert data["processes"][0]["pid"] == pid
    p = ctl("scan", "--all", "--summary", "--sysroot", os.path.join(FIXTURES, "no-such-tree"))
    expect_exit(p, 2, r"no-such-tree\" \(from --sysroot\)")


@test
def test_value_of_a_verb_option_is_not_a_global_option():
    # "--json" here names a cgroup: it must reach scan, not switch on JSON output
    p = ctl("scan", "--cgroup", "--json")
    expect_exit(p, 2, r'cgroup "--json" not found')
    assert p.stdout == b"", p.stdout[:200]


@test
def test_run_leaves_the_command_arguments_alone():
    for args in (("run", "--membind", "0", "--", "echo", "--json", "--sysroot", "x", "--version"),
                 ("run", "--membind", "0", "echo", "--json", "--sysroot", "x", "--version"),
                 ("--json", "run", "--membind", "0", "--", "echo", "--json", "--", "--help")):
        p = ctl(*args)
        expect_exit(p, 0)
        want = " ".join(args[args.index("echo") + 1:]).encode() + b"\n"
        assert p.stdout == want, (args, p.stdout)


@test
def test_global_option_value_errors():
    expect_exit(ctl("nodes", "--json=yes"), 2, r"--json takes no value")
    expect_exit(ctl("nodes", "--sysroot"), 2, r"--sysroot needs a value")
    expect_exit(ctl("--frobnicate", "nodes"), 2, r'unknown option "--frobnicate"')
    expect_exit(ctl("nodes", "--frobnicate"), 2, r"frobnicate")


# -- --help and --version ------------------------------------------------------------------

@test
def test_help_on_every_verb():
    for verb in VERBS:
        for flag in ("--help", "-h"):
            p = ctl(verb, flag)
            expect_exit(p, 0)
            out = p.stdout.decode()
            assert out.startswith("usage: cxlpolicyctl") and f" {verb}" in out, (verb, out)
            assert p.stderr == b"", (verb, p.stderr)
    for args in (("--help",), ("-h",), ("--help", "nodes")):
        p = ctl(*args)
        expect_exit(p, 0)
        out = p.stdout.decode()
        for verb in VERBS:
            assert re.search(rf"^  {verb} ", out, re.M), (verb, out)
        assert "--version" in out


@test
def test_version():
    for args in (("--version",), ("nodes", "--version"), ("--version", "nodes")):
        p = ctl(*args)
        expect_exit(p, 0)
        assert re.fullmatch(rb"cxlpolicyctl \d+\.\d+\.\d+\n", p.stdout), (args, p.stdout)
        assert p.stderr == b""


# -- exit 2 for bad usage and bad input ----------------------------------------------------

@test
def test_bad_sysroot_is_usage_error_naming_its_origin():
    expect_exit(ctl("--sysroot", "", "nodes"), 2, r'invalid --sysroot ""')
    expect_exit(ctl("nodes", "--sysroot="), 2, r'invalid --sysroot ""')
    expect_exit(ctl("--sysroot", "/no/such/dir", "nodes"), 2,
                r'sysroot "/no/such/dir" \(from --sysroot\): No such file or directory')
    with tempfile.NamedTemporaryFile() as f:
        expect_exit(ctl("--sysroot", f.name, "nodes"), 2, r"Not a directory")
    expect_exit(ctl("nodes", env={"CXLPOLICY_SYSROOT": "/no/such/dir"}), 2,
                r'sysroot "/no/such/dir" \(from CXLPOLICY_SYSROOT\): No such file')
    # the option wins over the environment, and the environment works
    fixture = os.path.join(FIXTURES, "server-2s-cxl")
    p = ctl("--json", "nodes", env={"CXLPOLICY_SYSROOT": fixture})
    expect_exit(p, 0)
    assert json.loads(p.stdout)["cxl_nodes"] == "2-3"
    p = ctl("--json", "--sysroot", "/", "nodes", env={"CXLPOLICY_SYSROOT": "/no/such/dir"})
    expect_exit(p, 0)


@test
def test_malformed_values_are_usage_errors():
    fixture = os.path.join(FIXTURES, "server-2s-cxl")
    expect_exit(ctl("--cxl-nodes", "abc", "nodes"), 2, r'invalid --cxl-nodes "abc"')
    expect_exit(ctl("nodes", "--cxl-nodes", "abc"), 2, r'invalid --cxl-nodes "abc"')
    expect_exit(ctl("--sysroot", fixture, "--cxl-nodes", "7", "nodes"), 2,
                r"node 7, which is not online \(online nodes: 0-3")
    expect_exit(ctl("--maps-method", "fast", "nodes"), 2, r'invalid --maps-method "fast"')
    expect_exit(ctl("run", "--membind", "0-", "--", "true"), 2, r'invalid --membind "0-"')
    expect_exit(ctl("run", "--preferred", "0-1", "--", "true"), 2, r"--preferred takes one node")


# -- untrusted bytes never reach the terminal raw -------------------------------------------

@test
def test_hostile_arguments_are_escaped_in_errors():
    cases = []
    for i, bad in enumerate(HOSTILE):
        b = bad.encode() if isinstance(bad, str) else bad
        cases += [
            (("scan", "--pid", b), r"invalid --pid"),
            (("nodes", b"-" + b), r"unknown option"),
            (("scan", "--all", b), r"unexpected argument"),
        ]
        if i % 3:
            continue  # every kind of byte above; every place below with a third of them
        cases += [
            (("migrate", "--pid", b), r"invalid --pid"),
            (("scan", b"--pid=" + b), r"invalid --pid"),
            (("scan", "--cgroup", b), r"not found"),
            (("--cxl-nodes", b, "nodes"), r"invalid --cxl-nodes"),
            (("nodes", "--maps-method", b), r"invalid --maps-method"),
            (("--sysroot", b"/no/" + b, "nodes"), r"No such file"),
            (("run", "--membind", b, "--", "true"), r"invalid --membind"),
            (("run", "--membind", "0", "--", b"/no/" + b), r"cannot execute"),
            ((b, ), r"unknown verb"),
            ((b"--" + b, "nodes"), r"unknown option"),
            (("scan", "--all", b"--" + b), r"unknown option"),
        ]
    for args, pattern in cases:
        p = ctl(*args)
        what = repr(args)
        expect_exit(p, 127 if "cannot execute" in pattern else 2, pattern)
        assert_one_escaped_line(p, what)
        assert rb"\x" in p.stderr, f"{what}: nothing shown escaped: {p.stderr!r}"


@test
def test_escaping_is_unambiguous():
    # the text "\x1b" is shown with its backslash doubled, the byte as \x1b
    p = ctl("scan", "--pid", "\\x1b")
    expect_exit(p, 2)
    assert b'"\\\\x1b"' in p.stderr, p.stderr
    p = ctl("scan", "--pid", "\x1b")
    assert b'"\\x1b"' in p.stderr, p.stderr


@test
def test_long_argument_cut_visibly():
    p = ctl("scan", "--pid", "9" * 5000 + "x")
    expect_exit(p, 2, r"invalid --pid")
    assert b'..."' in p.stderr and len(p.stderr) < 2000, p.stderr[-100:]


@test
def test_hostile_comm_not_raw_in_json_or_stderr():
    with NamedChild() as pid:
        pj = ctl("--json", "scan", "--pid", str(pid))
        pt = ctl("scan", "--pid", str(pid))
    expect_exit(pj, 0)
    assert_no_raw_control(pj.stdout, "scan --json stdout")
    (proc,) = json.loads(pj.stdout)["processes"]
    assert proc["comm"].encode() == HOSTILE_COMM, proc["comm"]
    for p in (pj, pt):
        expect_exit(p, 0)
        assert_no_raw_control(p.stderr, "scan stderr")


# -- what scan prints: tables escaped, JSON valid UTF-8, hints that fit the caller ------------

@test
def test_comm_escaped_in_table():
    """The table of scan --pid must not carry the comm raw (report.c)."""
    with NamedChild() as pid:
        outs = [ctl("scan", "--pid", str(pid))]
    for p in outs:
        expect_exit(p, 0)
        assert_no_raw_control(p.stdout, "scan table stdout")
        assert not re.search(rb"^1 ", p.stdout, re.M), "a forged row starts with '1 '"
        assert rb"x\x0a1" in p.stdout, f"comm not shown escaped: {p.stdout[:400]!r}"


@test
def test_json_valid_utf8_for_invalid_file_name():
    """A mapped file whose name is not UTF-8 still gives valid JSON (report.c, item 10)."""
    d = tempfile.mkdtemp(prefix="cxlpolicy-input-")
    try:
        exe = os.path.join(os.fsencode(d), b"sl\xffeep\x1b")
        shutil.copy(shutil.which("sleep"), exe)
        with Sleeper(argv=(exe, "600"), ready=b"sl\xffeep") as pid:
            pj = ctl("--json", "scan", "--pid", str(pid))
            pt = ctl("scan", "--pid", str(pid))
        expect_exit(pj, 0)
        pj.stdout.decode("utf-8")  # raises on invalid UTF-8
        paths = [m["path"] for m in json.loads(pj.stdout)["processes"][0]["mappings"]]
        assert any("sl\ufffdeep" in x for x in paths), paths
        expect_exit(pt, 0)
        assert_no_raw_control(pt.stdout, "scan table stdout")
    finally:
        shutil.rmtree(d)


@test
def test_root_in_userns_not_told_to_run_as_root():
    """Root in a user namespace is denied another user's maps: say why, not 'run as root'
    (scan.c explain_pid_error with cli_permission_hint(CAP_SYS_PTRACE))."""
    if os.geteuid() != 0:
        raise Skip("needs root to start a child as another user")
    probe = subprocess.run(["unshare", "-Ur", "true"], capture_output=True)
    if probe.returncode != 0:
        raise Skip(f"no user namespaces here: {probe.stderr.decode().strip()}")
    with Sleeper(argv=("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                       "--", "sleep", "600")) as pid:
        p = ctl("scan", "--pid", str(pid), prefix=("unshare", "-Ur"))
    expect_exit(p, 1, r"permission denied")
    err = p.stderr.decode()
    assert "run as root" not in err, err
    assert "user namespace" in err, err


finish("integration-input")
