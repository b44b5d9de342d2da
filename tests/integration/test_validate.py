#!/usr/bin/env python3
"""Integration tests of `cxlpolicyctl validate FILE...` (policy format v1, issue 8).

Runs the real CLI against the fixture topologies (--sysroot tests/fixtures/TREE), so the
results do not depend on this machine's nodes: dax-region is node 0 dram, nodes 1-2 cxl.

Usage: test_validate.py PATH/TO/cxlpolicyctl
Prints "PASS name", "FAIL name: why" or "SKIP name: why" per test and a closing
"integration-validate: N passed, N failed, N skipped".
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
TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(TOP, "tests", "fixtures")
POLICIES = os.path.join(TOP, "policies")
CONTRACT = ('{"version": 1, "policies": [{"name": "web", "match": {"cgroup": "web.slice/**"}, '
            '"mems": ["dram", "cxl"], "exec": {"migrate": true, "interval": "2s"}}]}')
TMP = tempfile.mkdtemp(prefix="cxlp-validate-")


def validate(*args, tree="dax-region", cwd=None):
    env = dict(os.environ)
    env.pop("CXLPOLICY_SYSROOT", None)
    return subprocess.run([CTL, "--sysroot", os.path.join(FIXTURES, tree), *args],
                          capture_output=True, text=True, timeout=60, cwd=cwd or TMP, env=env)


def write(name, content):
    path = os.path.join(TMP, name)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode) as f:
        f.write(content)
    return name


@test
def test_contract_file_is_ok():
    write("contract.json", CONTRACT)
    p = validate("validate", "contract.json")
    assert p.returncode == 0, (p.returncode, p.stderr)
    assert p.stdout == "contract.json: ok (1 policy)\n", repr(p.stdout)
    assert p.stderr == "", p.stderr


@test
def test_contract_json_means_what_it_says():
    write("contract.json", CONTRACT)
    p = validate("--json", "validate", "contract.json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["valid"] is True
    pols = doc["files"][0]["policies"]
    assert len(pols) == 1, pols
    pol = pols[0]
    assert pol["name"] == "web"
    assert pol["match"] == {"cgroup": ["web.slice/**"]}, pol["match"]
    assert pol["mems"] == [0, 1, 2], pol["mems"]  # every node of dax-region
    assert pol["exec"]["migrate"] is True
    assert pol["exec"]["interval_ns"] == 2_000_000_000, pol["exec"]
    # on another topology the same classes resolve to its nodes
    p = validate("--json", "validate", "contract.json", tree="server-2s-cxl")
    assert json.loads(p.stdout)["files"][0]["policies"][0]["mems"] == [0, 1, 2, 3]


@test
def test_shipped_example_policies_validate():
    files = sorted(f for f in os.listdir(POLICIES) if f.endswith(".json"))
    assert "contract.json" in files, files
    with open(os.path.join(POLICIES, "contract.json")) as f:
        assert json.load(f) == json.loads(CONTRACT), "policies/contract.json is not the contract"
    p = validate("validate", *files, cwd=POLICIES)
    assert p.returncode == 0, p.stderr
    assert len(p.stdout.splitlines()) == len(files), p.stdout


@test
def test_bad_node_class_message_and_exit_2():
    write("p.json", '{"version": 1, "policies": [\n'
          '{"name": "a", "match": {"cgroup": "a"}, "mems": [0]},\n'
          '{"name": "b", "match": {"cgroup": "b"}, "mems": ["cx1"]}]}')
    p = validate("validate", "p.json")
    assert p.returncode == 2, p.returncode
    assert p.stdout == "", p.stdout
    assert p.stderr == ('p.json: policies[1].mems[0]: unknown node class "cx1" '
                        '(expected dram, cxl, all or a node list)\n'), repr(p.stderr)


@test
def test_syntax_error_has_line_and_column():
    write("s.json", '{"version": 1,\n  "policies": [\n    {"name": "a",, }]}')
    p = validate("validate", "s.json")
    assert p.returncode == 2
    assert p.stderr.startswith("s.json:3:18: syntax error: "), repr(p.stderr)


@test
def test_one_bad_file_among_good_ones():
    write("good.json", CONTRACT)
    write("bad.json", CONTRACT.replace('"2s"', '"2 parsecs"'))
    p = validate("validate", "good.json", "bad.json", "good.json")
    assert p.returncode == 2, p.returncode
    assert p.stdout == "good.json: ok (1 policy)\ngood.json: ok (1 policy)\n", repr(p.stdout)
    assert p.stderr.startswith('bad.json: policies[0].exec.interval: invalid duration '
                               '"2 parsecs"'), p.stderr


@test
def test_unreadable_file_exits_2_naming_it():
    p = validate("validate", "does-not-exist.json")
    assert p.returncode == 2, p.returncode
    assert "does-not-exist.json: cannot read: No such file or directory" in p.stderr, p.stderr
    os.makedirs(os.path.join(TMP, "dir.json"), exist_ok=True)
    p = validate("validate", "dir.json")
    assert p.returncode == 2 and p.stderr.startswith("dir.json: cannot read: "), p.stderr


@test
def test_node_that_does_not_exist():
    write("n.json", CONTRACT.replace('["dram", "cxl"]', '[0, 3]'))
    p = validate("validate", "n.json")
    assert p.returncode == 2
    assert p.stderr == ("n.json: policies[0].mems[1]: node 3 does not exist "
                        "(online nodes: 0-2)\n"), repr(p.stderr)
    p = validate("validate", "n.json", tree="server-2s-cxl")  # node 3 exists there
    assert p.returncode == 0, p.stderr


@test
def test_cxl_only_mems_with_migration_rejected():
    write("c.json", CONTRACT.replace('["dram", "cxl"]', '["cxl"]'))
    p = validate("validate", "c.json")
    assert p.returncode == 2
    assert "no DRAM node while exec.migrate is on" in p.stderr, p.stderr
    assert "shared library text" in p.stderr, p.stderr
    write("c2.json", CONTRACT.replace('["dram", "cxl"]', '["cxl"]').replace(
        '"migrate": true', '"migrate": false'))
    p = validate("validate", "c2.json")
    assert p.returncode == 0, p.stderr


@test
def test_hostile_text_is_escaped():
    write("e.json", '{"version": 1, "policies": [], "\\u001b]0;pwned\\u0007": 1}')
    write("bad\x1b[31m.json", "{}")
    p = validate("validate", "e.json", "bad\x1b[31m.json")
    assert p.returncode == 2
    assert "\x1b" not in p.stderr and "\x07" not in p.stderr, repr(p.stderr)
    assert '"\\x1b]0;pwned\\x07"' in p.stderr, repr(p.stderr)
    assert "bad\\x1b[31m.json" in p.stderr, repr(p.stderr)


@test
def test_non_utf8_and_oversize():
    write("l.json", b'{"version": 1, "policies": [{"name": "caf\xe9"}]}')
    p = validate("validate", "l.json")
    assert p.returncode == 2
    assert p.stderr == "l.json:1:42: not UTF-8 text (byte 0xe9)\n", repr(p.stderr)
    write("big.json", CONTRACT + " " * (1 << 20))
    p = validate("validate", "big.json")
    assert p.returncode == 2
    assert p.stderr.startswith("big.json: over the limit of 1048576 bytes"), p.stderr


@test
def test_usage_errors():
    p = validate("validate")
    assert p.returncode == 2 and "no FILE given" in p.stderr, p.stderr
    p = validate("validate", "--help")
    assert p.returncode == 0 and "validate FILE..." in p.stdout, p.stdout


@test
def test_json_output_lists_invalid_files_too():
    write("good.json", CONTRACT)
    write("p.json", '{"version": 2, "policies": []}')
    p = validate("validate", "--json", "good.json", "p.json")
    assert p.returncode == 2
    doc = json.loads(p.stdout)
    assert doc["valid"] is False
    assert [f["valid"] for f in doc["files"]] == [True, False], doc
    assert doc["files"][1]["error"] == ("p.json: version: unsupported version 2 "
                                        "(this build reads version 1)"), doc


shutil.rmtree(TMP, ignore_errors=True)
finish("integration-validate")
