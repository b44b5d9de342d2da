#!/usr/bin/env python3
# make bench / make bench-quick (issue 9): what finding and moving code costs, against what
# a user would run instead, measured pair-wise in one invocation (the machine is shared:
# every figure that matters is a ratio of two commands run interleaved, medians of several
# repetitions). Writes a table on stdout, build/bench/bench.json and PNG plots.
#
#   bench.py [--quick] [--guest] [--daemon-only] --bin DIR --ctl CTL --daemon CXLPOLICYD --out DIR
#
# Every process and cgroup it creates lives below one cgroup2 directory
# (cxlbench-<pid>), killed with cgroup.kill and removed on exit, also on SIGINT/SIGTERM.
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# ---------------------------------------------------------------- configuration
QUICK = dict(sizes=[40, 120, 240], reps=3, numastat_sample=4, hostile_maps=4000,
             huge_gib=[1, 64], daemon_procs=200, daemon_intervals=4, churn_intervals=3,
             groups=4)
FULL = dict(sizes=[100, 1000, 3000], reps=5, numastat_sample=16, hostile_maps=65000,
            huge_gib=[1, 1024], daemon_procs=1000, daemon_intervals=8, churn_intervals=6,
            groups=10)

BARS = {  # issue 9, read from the printed ratios
    "admin_over_scan": (">=", 5.0),
    "scan_over_floor": ("<=", 0.6),
    "scan_over_queryloop": ("<=", 0.3),
    "scan_rss_mib": ("<=", 10.0),
    "hostile_scan_rss_mib": ("<=", 10.0),
    "daemon_quiet_over_floor": ("<=", 0.2),
    "daemon_sweep_cpu_ms": ("<=", 50.0),
    "daemon_rss_mib": ("<=", 10.0),
    "migrate_over_raw": ("<=", 1.1),
    "longest_call_ms": ("<=", 20.0),
}


def die(msg):
    print(f"bench: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- cgroup and processes
def cgroup2_root():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            if right.split()[0] == "cgroup2":
                return left.split()[4]
    die("no cgroup2 mount in /proc/self/mountinfo (the benchmark puts its processes in one)")


class Population:
    """Every process the benchmark starts, in cgroups below one directory it owns."""

    def __init__(self, groups):
        self.root = cgroup2_root()
        self.name = f"cxlbench-{os.getpid()}"
        self.dir = os.path.join(self.root, self.name)
        os.mkdir(self.dir)
        self.groups = []
        for i in range(groups):
            g = os.path.join(self.dir, f"g{i}")
            os.mkdir(g)
            self.groups.append(g)
        self.leaders = []  # Popen objects of the processes started directly
        self.next_group = 0

    def _spawn(self, argv, group=None, stdout=subprocess.PIPE):
        g = group or self.groups[self.next_group % len(self.groups)]
        self.next_group += 1
        procs = os.path.join(g, "cgroup.procs")

        def enter():
            with open(procs, "w") as f:
                f.write("0")

        p = subprocess.Popen(argv, stdout=stdout, stdin=subprocess.DEVNULL,
                             preexec_fn=enter, text=True)
        self.leaders.append(p)
        return p

    def _ready(self, p, what):
        line = p.stdout.readline()
        if not line.startswith("READY"):
            die(f"{what}: no READY line (got {line!r})")
        return line

    def add_sleepers(self, n, binary, per_leader=100):
        started = []
        while n > 0:
            k = min(per_leader, n)
            started.append(self._spawn([binary, str(k)]))
            n -= k
        for p in started:
            self._ready(p, "sleeper")

    def add_pythons(self, n):
        # One interpreter imports what a typical Python service imports, then forks n-1 copies.
        code = ("import os, sys, json, ssl, sqlite3, decimal, ctypes, hashlib, zlib, "
                "xml.etree.ElementTree, socket, select, uuid, lzma, bz2, csv, signal, time\n"
                "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
                "libc = ctypes.CDLL(None)\n"
                f"for i in range({n} - 1):\n"
                "    if os.fork() == 0:\n"
                "        libc.prctl(1, 9)\n"  # PR_SET_PDEATHSIG, SIGKILL
                "        while True: signal.pause()\n"
                f"print('READY {n}', flush=True)\n"
                "while True: signal.pause()\n")
        self._ready(self._spawn([sys.executable, "-c", code]), "python")

    def start_hostile(self, binary, *args):
        p = self._spawn([binary, *map(str, args)])
        m = re.match(r"READY pid=(\d+) mappings=(\d+) resident=(\d+)", self._ready(p, "hostile"))
        return p, int(m.group(1)), int(m.group(2)), int(m.group(3))

    def stop(self, p):
        p.kill()
        p.wait()
        self.leaders.remove(p)

    def pids(self, group=None):
        out = []
        for g in [group] if group else self.groups:
            with open(os.path.join(g, "cgroup.procs")) as f:
                out += [int(x) for x in f.read().split()]
        return out

    def count(self):
        return len(self.pids())

    def cleanup(self):
        kill = os.path.join(self.dir, "cgroup.kill")
        for p in self.leaders:
            try:
                p.kill()
            except OSError:
                pass
        try:
            with open(kill, "w") as f:
                f.write("1")
        except OSError:  # kernels before 5.14: kill what is listed
            for pid in self.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for p in self.leaders:
            p.wait()
        for _ in range(100):
            try:
                for g in self.groups:
                    if os.path.isdir(g):
                        os.rmdir(g)
                os.rmdir(self.dir)
                return
            except OSError:
                time.sleep(0.05)
        print(f"bench: could not remove {self.dir}", file=sys.stderr)


# ---------------------------------------------------------------- measuring
class Runner:
    def __init__(self, bindir):
        self.runstat = os.path.join(bindir, "runstat")

    def run(self, argv, keep_output=False):
        out = tempfile.NamedTemporaryFile(prefix="cxlbench-", delete=False)
        out.close()
        try:
            r = subprocess.run([self.runstat, "-o", out.name, "--", *argv],
                               capture_output=True, text=True, check=True)
            m = dict(kv.split("=") for kv in r.stdout.split())
            res = {k: int(v) for k, v in m.items()}
            if res["status"] != 0:
                with open(out.name) as f:
                    die(f"{' '.join(argv)} exited {res['status']}: {r.stderr.strip()} {f.read()[:300]}")
            if keep_output:
                with open(out.name) as f:
                    res["output"] = f.read()
            return res
        finally:
            os.unlink(out.name)

    def interleaved(self, cmds, reps):
        """cmds: name -> argv (or a callable returning a result). Runs every command once
        per repetition, in a rotating order, and returns name -> medians (wall_ms,
        cpu_ms, user_ms, sys_ms), the highest maxrss and the last output."""
        names = list(cmds)
        samples = {n: [] for n in names}
        for r in range(reps):
            order = names[r % len(names):] + names[:r % len(names)]
            for n in order:
                c = cmds[n]
                samples[n].append(c() if callable(c) else self.run(c, keep_output=True))
        res = {}
        for n, s in samples.items():
            res[n] = {
                "wall_ms": statistics.median(x["wall_us"] for x in s) / 1000,
                "cpu_ms": statistics.median(x["user_us"] + x["sys_us"] for x in s) / 1000,
                "user_ms": statistics.median(x["user_us"] for x in s) / 1000,
                "sys_ms": statistics.median(x["sys_us"] for x in s) / 1000,
                "maxrss_kb": max(x["maxrss_kb"] for x in s),
                "reps": len(s),
                "output": s[-1].get("output", ""),
            }
        return res


def kv(text, key):
    m = re.search(rf"\b{key}=(\d+)", text)
    return int(m.group(1)) if m else None


def fit_line(xs, ys):
    """Least squares y = a + b x; returns (a, b, r2)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx if sxx else 0.0
    a = my - b * mx
    ss = sum((y - my) ** 2 for y in ys)
    r2 = 1 - sum((y - a - b * x) ** 2 for x, y in zip(xs, ys)) / ss if ss else 1.0
    return a, b, r2


def bar(name, value):
    op, limit = BARS[name]
    ok = value >= limit if op == ">=" else value <= limit
    return {"value": round(value, 4), "bar": f"{op} {limit:g}", "met": ok}


# ---------------------------------------------------------------- part 1: scan vs population
def scan_totals(ctl, runner):
    r = runner.run([ctl, "--json", "scan", "--all", "--summary"], keep_output=True)
    doc = json.loads(r["output"])
    t = doc.get("totals") or {}
    return t


def part_scan(cfg, pop, runner, ctl, bindir):
    rows = []
    numastat = "/usr/bin/numastat"
    for n in cfg["sizes"]:
        have = pop.count()
        if have == 0:
            pythons = min(40, max(4, n // 30))
            pop.add_pythons(pythons)
            have = pythons
        if n > have:
            pop.add_sleepers(n - have, os.path.join(bindir, "sleeper"))
        time.sleep(0.3)
        if pop.count() != n:
            die(f"population: {pop.count()} processes in {pop.dir}, expected {n}")
        totals = scan_totals(ctl, runner)
        sample = random.Random(n).sample(pop.pids(), cfg["numastat_sample"])
        allpids = len([p for p in os.listdir("/proc") if p.isdigit()])

        def numastat_sample():
            acc = {"wall_us": 0, "user_us": 0, "sys_us": 0, "maxrss_kb": 0}
            for pid in sample:
                r = runner.run([numastat, "-p", str(pid)])
                for k in ("wall_us", "user_us", "sys_us"):
                    acc[k] += r[k]
                acc["maxrss_kb"] = max(acc["maxrss_kb"], r["maxrss_kb"])
            scale = allpids / len(sample)  # extrapolated to every process
            for k in ("wall_us", "user_us", "sys_us"):
                acc[k] = int(acc[k] * scale)
            return acc

        cmds = {
            "floor": [os.path.join(bindir, "mapsfloor")],
            "scan": [ctl, "scan", "--all", "--summary"],
            "scan_text": [ctl, "--maps-method", "text", "scan", "--all", "--summary"],
            "scan_table": [ctl, "scan", "--all"],
            "scan_json": [ctl, "--json", "scan", "--all"],
            "admin": [sys.executable, os.path.join(HERE, "admin.py")],
            "queryloop": [os.path.join(bindir, "queryloop")],
        }
        # (e) the floor of any PROCMAP_QUERY design, where the kernel has the ioctl
        if subprocess.run([os.path.join(bindir, "vmafloor"), str(os.getpid())],
                          capture_output=True).returncode == 0:
            cmds["vmafloor"] = [os.path.join(bindir, "vmafloor")]
        if os.path.exists(numastat):
            cmds["numastat"] = numastat_sample
        res = runner.interleaved(cmds, cfg["reps"])
        ql = res["queryloop"]["output"]
        row = {
            "n_started": n, "processes": allpids,
            "exec_mappings": totals.get("mappings"), "exec_pages": totals.get("pages"),
            "resident_pages": totals.get("resident"), "deduplicated": totals.get("deduplicated"),
            "queryloop_pages": kv(ql, "pages"), "queryloop_mappings": kv(ql, "mappings"),
            "numastat_sample": len(sample) if "numastat" in res else 0,
            "results": {k: {kk: vv for kk, vv in v.items() if kk != "output"}
                        for k, v in res.items()},
        }
        if not row["exec_pages"] or not row["queryloop_pages"]:
            die(f"N={n}: no executable pages counted (scan {totals}, queryloop {ql!r})")
        base = res["floor"]["wall_ms"]
        row["ratio_vs_floor"] = {k: round(v["wall_ms"] / base, 3) for k, v in res.items()}
        row["cpu_ratio_vs_floor"] = {k: round(v["cpu_ms"] / max(res["floor"]["cpu_ms"], 0.001), 3)
                                     for k, v in res.items()}
        row["pages_per_s"] = {k: int(row["exec_pages"] / (v["wall_ms"] / 1000))
                              for k, v in res.items()}
        rows.append(row)
        print(f"bench: N={n}: {allpids} processes, {row['exec_mappings']} exec mappings, "
              f"{row['exec_pages']} exec pages; scan {res['scan']['wall_ms']:.1f} ms, "
              f"floor {base:.1f} ms", flush=True)
    # Costs fitted from the sizes: CPU = fixed + per_process * processes.
    fits = {}
    for k in rows[0]["results"]:
        xs = [r["processes"] for r in rows]
        a, b, r2 = fit_line(xs, [r["results"][k]["cpu_ms"] for r in rows])
        mx = [r["exec_mappings"] for r in rows]
        a2, b2, r22 = fit_line(mx, [r["results"][k]["cpu_ms"] for r in rows])
        fits[k] = {"fixed_cpu_ms": round(a, 3), "cpu_us_per_process": round(b * 1000, 2),
                   "r2": round(r2, 4), "cpu_us_per_exec_mapping": round(b2 * 1000, 3),
                   "r2_mapping": round(r22, 4)}
    return rows, fits


# ---------------------------------------------------------------- part 2: hostile shapes
def part_hostile(cfg, pop, runner, ctl, bindir):
    out = {}
    hostile = os.path.join(bindir, "hostile")
    p, pid, maps, resident = pop.start_hostile(hostile, "maps", cfg["hostile_maps"])
    spid = str(pid)
    res = runner.interleaved({
        "floor": [os.path.join(bindir, "mapsfloor"), spid],
        "scan": [ctl, "--maps-method", "query", "scan", "--pid", spid, "--summary"],
        "scan_text": [ctl, "--maps-method", "text", "scan", "--pid", spid, "--summary"],
        "scan_json": [ctl, "--json", "scan", "--pid", spid],
        "admin": [sys.executable, os.path.join(HERE, "admin.py"), spid],
        "queryloop": [os.path.join(bindir, "queryloop"), spid],
    }, cfg["reps"])
    seen = json.loads(runner.run([ctl, "--json", "scan", "--pid", spid, "--summary"],
                                 keep_output=True)["output"]).get("totals", {})
    pop.stop(p)
    # Its own program text, libc, ld.so and the vdso come on top.
    if not maps <= (seen.get("mappings") or 0) <= maps + 16:
        die(f"hostile maps: scan saw {seen.get('mappings')} executable mappings, expected {maps}+")
    base = res["floor"]["wall_ms"]
    out["many_mappings"] = {
        "mappings": maps, "resident_pages": resident,
        "results": {k: {kk: vv for kk, vv in v.items() if kk != "output"} for k, v in res.items()},
        "ratio_vs_floor": {k: round(v["wall_ms"] / base, 3) for k, v in res.items()},
        "cpu_us_per_mapping": {k: round(v["cpu_ms"] * 1000 / maps, 3) for k, v in res.items()},
    }
    huge = {}
    for gib in cfg["huge_gib"]:
        p, pid, _, resident = pop.start_hostile(hostile, "huge", gib, 8)
        spid = str(pid)
        cmds = {
            "scan": [ctl, "--maps-method", "query", "scan", "--pid", spid, "--summary"],
            "scan_text": [ctl, "--maps-method", "text", "scan", "--pid", spid, "--summary"],
        }
        if gib <= 1:  # 262,144 queries per GiB: the bare loop only on the small one
            cmds["queryloop"] = [os.path.join(bindir, "queryloop"), spid]
        res = runner.interleaved(cmds, cfg["reps"])
        seen = json.loads(runner.run([ctl, "--json", "scan", "--pid", spid, "--summary"],
                                     keep_output=True)["output"]).get("totals", {})
        pop.stop(p)
        huge[gib] = {"gib": gib, "resident_pages": resident, "scan_resident": seen.get("resident"),
                     "results": {k: {kk: vv for kk, vv in v.items() if kk != "output"}
                                 for k, v in res.items()}}
    small, big = cfg["huge_gib"]
    out["huge_empty_exec"] = {
        "sizes": huge,
        "scan_big_over_small": round(huge[big]["results"]["scan"]["wall_ms"]
                                     / huge[small]["results"]["scan"]["wall_ms"], 3),
        "scan_text_big_over_small": round(huge[big]["results"]["scan_text"]["wall_ms"]
                                          / huge[small]["results"]["scan_text"]["wall_ms"], 3),
        "queryloop_extrapolated_ms": round(huge[small]["results"]["queryloop"]["wall_ms"]
                                           * big / small, 1),
    }
    return out


# ---------------------------------------------------------------- part 4: daemon steady state
NODE_DIR = "/sys/devices/system/node"


def read_nodelist(path):
    """A kernel node list ("0-1,3") as a sorted list of ids."""
    with open(path) as f:
        text = f.read().strip()
    ids = []
    for part in filter(None, text.split(",")):
        a, _, b = part.partition("-")
        ids += range(int(a), int(b or a) + 1)
    return ids


def cxl_nodes(ctl, sysroot=None):
    """The node list cxlpolicyctl classes cxl ("" for none), under @sysroot."""
    r = subprocess.run([ctl, *(["--sysroot", sysroot] if sysroot else []), "--json", "nodes"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise OSError(f"cxlpolicyctl{' --sysroot ' + sysroot if sysroot else ''} nodes: "
                      f"{r.stderr.strip()}")
    return json.loads(r.stdout).get("cxl_nodes") or ""


class FakeCxlRoot:
    """A --sysroot for cxlpolicyd that looks like this host plus one CXL node.

    DIR/proc is a bind mount of /proc and DIR/sys/fs/cgroup one of the cgroup2 mount (the
    daemon then finds a unified layout there through proc/self/mountinfo: its own mounts
    below DIR); DIR/sys/devices/system/node is a copy of the real nodes plus node N+1:
    no CPUs, memory, a numastat whose counters never move, distance 20 to the others. The
    kernel has no such node, so no page is ever on it: the daemon sweeps with nothing to
    move, as a CXL host in steady state does. Mounts are undone in cleanup(), which the
    caller runs in a finally (the bench turns SIGINT/TERM/HUP into SystemExit)."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "sysroot")
        self.mounts = []
        self.node = None

    def _bind(self, src, dst):
        os.makedirs(dst, exist_ok=True)
        self.mounts.append(dst)  # before mounting: a signal in between still unmounts it
        r = subprocess.run(["mount", "--bind", src, dst], capture_output=True, text=True)
        if r.returncode != 0:
            raise OSError(f"mount --bind {src} {dst}: {r.stderr.strip() or r.returncode}")

    def _write(self, rel, text):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def build(self, cgroup2):
        online = read_nodelist(f"{NODE_DIR}/online")
        fake = max(online) + 1
        nodes = online + [fake]
        node_dir = "sys/devices/system/node"
        lst = ",".join(map(str, nodes))
        self._write(f"{node_dir}/online", lst + "\n")
        self._write(f"{node_dir}/possible", lst + "\n")
        self._write(f"{node_dir}/has_cpu",
                    open(f"{NODE_DIR}/has_cpu").read())
        self._write(f"{node_dir}/has_memory",
                    ",".join(map(str, read_nodelist(f"{NODE_DIR}/has_memory") + [fake])) + "\n")
        self._write(f"{node_dir}/has_normal_memory", open(f"{NODE_DIR}/has_normal_memory").read())
        for n in online:
            for name in ("cpulist", "cpumap", "meminfo", "numastat", "vmstat"):
                src = f"{NODE_DIR}/node{n}/{name}"
                if os.path.exists(src):
                    self._write(f"{node_dir}/node{n}/{name}", open(src).read())
            with open(f"{NODE_DIR}/node{n}/distance") as f:
                self._write(f"{node_dir}/node{n}/distance", f.read().strip() + " 20\n")
        kb = 4 << 20  # 4 GiB, free: a CXL expander nobody allocated from
        self._write(f"{node_dir}/node{fake}/cpulist", "\n")
        self._write(f"{node_dir}/node{fake}/cpumap", "0\n")
        self._write(f"{node_dir}/node{fake}/meminfo",
                    f"Node {fake} MemTotal:       {kb} kB\nNode {fake} MemFree:        {kb} kB\n"
                    f"Node {fake} MemUsed:        0 kB\n")
        self._write(f"{node_dir}/node{fake}/numastat",
                    "numa_hit 0\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 0\nlocal_node 0\n"
                    "other_node 0\n")
        self._write(f"{node_dir}/node{fake}/distance",
                    " ".join(["20"] * len(online) + ["10"]) + "\n")
        self._bind("/proc", os.path.join(self.dir, "proc"))
        self._bind(cgroup2, os.path.join(self.dir, "sys/fs/cgroup"))
        self.node = fake

    def cleanup(self):
        for dst in reversed(self.mounts):
            if not os.path.ismount(dst):
                continue
            r = subprocess.run(["umount", dst], capture_output=True, text=True)
            if r.returncode != 0:  # busy: detach it (MNT_DETACH) rather than leave it
                subprocess.run(["umount", "--lazy", dst], capture_output=True, text=True)
            if os.path.ismount(dst):
                # Never let the temporary directory's removal walk into /proc or cgroupfs.
                stale = tempfile.mkdtemp(prefix="cxlbench-stale-mount-", dir="/tmp")
                os.rename(self.dir, os.path.join(stale, "sysroot"))
                print(f"bench: could not unmount {dst}: moved the sysroot to {stale}",
                      file=sys.stderr)
                break
        self.mounts = []


def daemon_root(ctl, cgroup2, root):
    """Where the daemon's part runs: (sysroot or None, mode, why not a sysroot); @root is
    the FakeCxlRoot to build when the host has no CXL node (the caller cleans it up)."""
    host = cxl_nodes(ctl)
    if host:
        return None, f"host (its CXL nodes: {host})", None
    try:
        root.build(cgroup2)
        cxl = cxl_nodes(ctl, root.dir)
        if cxl != str(root.node):
            raise OSError(f"cxlpolicyctl --sysroot {root.dir} nodes: cxl nodes \"{cxl}\", "
                          f"expected \"{root.node}\"")
    except OSError as e:
        root.cleanup()
        why = str(e)
        print(f"bench: WARNING: no sysroot with a CXL node ({why}): the daemon runs on this "
              "host as it is; with no CXL node it reads no process and its figures measure "
              "only its bookkeeping", file=sys.stderr, flush=True)
        return None, "FALLBACK: host without a CXL node, no process read", why
    return root.dir, f"sysroot with a fake CXL node {root.node}", None


def proc_cpu_us(pid):
    """CPU time of the process's main thread in ns resolution (schedstat; stat has ticks)."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) // 1000


def proc_status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def part_daemon(cfg, pop, runner, ctl, daemon, bindir, tmp):
    need = cfg["daemon_procs"]
    have = pop.count()
    if have < need:
        pop.add_sleepers(need - have, os.path.join(bindir, "sleeper"))
    poldir = os.path.join(tmp, "policies")
    os.mkdir(poldir)
    sock, lock = os.path.join(tmp, "sock"), os.path.join(tmp, "lock")
    interval = 1.0
    with open(os.path.join(poldir, "bench.json"), "w") as f:
        json.dump({"version": 1, "policies": [{
            "name": "bench", "match": {"cgroup": f"{pop.name}/**"}, "mems": ["dram"],
            "exec": {"migrate": True, "interval": "1s"}}]}, f)
    fake = FakeCxlRoot(tmp)
    try:
        return daemon_runs(cfg, pop, runner, ctl, daemon, bindir, tmp, poldir, sock, lock,
                           interval, fake)
    finally:
        fake.cleanup()  # also on SIGINT/TERM/HUP (SystemExit)


def daemon_runs(cfg, pop, runner, ctl, daemon, bindir, tmp, poldir, sock, lock, interval, fake):
    sysroot, mode, why = daemon_root(ctl, pop.root, fake)
    log = open(os.path.join(tmp, "cxlpolicyd.log"), "w")
    d = subprocess.Popen([daemon, "--policy-dir", poldir, "--socket", sock, "--lock", lock,
                          "--full-every", "10", *(["--sysroot", sysroot] if sysroot else [])],
                         stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    print(f"bench: cxlpolicyd runs on: {mode}", flush=True)

    def status():
        r = subprocess.run([ctl, "--json", "status", "--socket", sock], capture_output=True,
                           text=True)
        if r.returncode != 0:
            return None
        doc = json.loads(r.stdout)
        pol = [p for p in doc["policies"] if p["name"] == "bench"][0]
        return pol

    def fulls(e):
        return e["sweeps"] - e["quiet_sweeps"] - e.get("partial_sweeps", 0)

    def kind(s, prev):
        """What the sweep between two status replies was: quiet, partial or full."""
        e, p = s["exec"], prev["exec"]
        if e["quiet_sweeps"] > p["quiet_sweeps"]:
            return "quiet"
        return "partial" if e.get("partial_sweeps", 0) > p.get("partial_sweeps", 0) else "full"

    def wait_sweep(after, full=False):
        """The status once the sweep count passes after (full: counting full sweeps only)."""
        for _ in range(int(interval * 50) + 200):
            s = status()
            if s:
                e = s["exec"]
                if (fulls(e) if full else e["sweeps"]) > after:
                    return s
            time.sleep(0.05)
        die("cxlpolicyd: no sweep within the interval")

    try:
        s = None
        for _ in range(200):
            if d.poll() is not None:
                die(f"cxlpolicyd exited {d.returncode}: see {log.name}")
            s = status()
            if s and s["exec"]["sweeps"] >= 2:
                break
            time.sleep(0.05)
        if not s:
            die("cxlpolicyd did not answer status")
        governed = len(pop.pids())
        seen = s["exec"]["processes"]
        if sysroot is not None and seen != governed:
            die(f"cxlpolicyd governs {seen} processes, the benchmark's cgroups hold {governed}")
        # Quiet and full sweeps: one sample per interval from the daemon's own counters.
        quiet, full = [], []
        cpu0, t0 = proc_cpu_us(d.pid), time.monotonic()
        prev = s
        for _ in range(cfg["daemon_intervals"]):
            s = wait_sweep(prev["exec"]["sweeps"])
            (quiet if kind(s, prev) == "quiet" else full).append(
                (s["last_cpu_usec"], s["exec"]["last_duration_usec"], s.get("last_processes")))
            prev = s
        # The daemon's CPU over a few intervals nobody asks it anything (status costs CPU too).
        cpu0, t0 = proc_cpu_us(d.pid), time.monotonic()
        time.sleep(3 * interval)
        idle_cpu_per_s = (proc_cpu_us(d.pid) - cpu0) / (time.monotonic() - t0)
        # Forced full sweeps (the sweep verb), interleaved with the floor over the same pids.
        pids = [str(p) for p in pop.pids()]

        def forced():
            before = fulls(status()["exec"])
            subprocess.run([ctl, "sweep", "--policy", "bench", "--socket", sock],
                           check=True, capture_output=True)
            s2 = wait_sweep(before, full=True)
            return {"wall_us": s2["exec"]["last_duration_usec"], "user_us": s2["last_cpu_usec"],
                    "sys_us": 0, "maxrss_kb": 0}

        res = runner.interleaved({"floor": [os.path.join(bindir, "mapsfloor"), *pids],
                                  "full_sweep": forced}, cfg["reps"])
        rss_kb, hwm_kb = proc_status_kb(d.pid, "VmRSS"), proc_status_kb(d.pid, "VmHWM")
        # Churn: 1% of the processes replaced per interval.
        churn_n = max(1, governed // 100)
        churn = []
        s = status()
        cpu0, t0 = proc_cpu_us(d.pid), time.monotonic()
        for _ in range(cfg["churn_intervals"]):
            victims = [p for p in pop.pids() if p not in (lp.pid for lp in pop.leaders)][:churn_n]
            for v in victims:
                try:
                    os.kill(v, signal.SIGKILL)
                except OSError:
                    pass
            pop.add_sleepers(churn_n, os.path.join(bindir, "sleeper"))
            prev = s
            s = wait_sweep(prev["exec"]["sweeps"])
            churn.append((s["last_cpu_usec"], s["exec"]["last_duration_usec"], kind(s, prev),
                          s.get("last_processes")))
        churn_cpu_per_s = (proc_cpu_us(d.pid) - cpu0) / (time.monotonic() - t0)
        hwm_kb = max(hwm_kb, proc_status_kb(d.pid, "VmHWM"))
        fds = len(os.listdir(f"/proc/{d.pid}/fd"))
    finally:
        d.terminate()
        try:
            d.wait(10)
        except subprocess.TimeoutExpired:
            d.kill()
            d.wait()
        log.close()
    if d.returncode != 0:
        die(f"cxlpolicyd exited {d.returncode} after SIGTERM")
    med = lambda xs, i: statistics.median(x[i] for x in xs) / 1000 if xs else None  # noqa: E731
    floor_ms = res["floor"]["wall_ms"]
    floor_cpu = res["floor"]["cpu_ms"]
    out = {
        "mode": mode, "sysroot_unavailable": why, "daemon_sees_processes": seen,
        "governed_processes": governed, "interval_s": interval, "daemon_fds": fds,
        "quiet_sweeps": len(quiet), "quiet_cpu_ms": med(quiet, 0), "quiet_wall_ms": med(quiet, 1),
        "periodic_full_sweeps": len(full), "periodic_full_cpu_ms": med(full, 0),
        "idle_cpu_ms_per_s": round(idle_cpu_per_s / 1000, 3),
        "forced_full_cpu_ms": res["full_sweep"]["cpu_ms"],
        "forced_full_wall_ms": res["full_sweep"]["wall_ms"],
        "floor_same_pids_ms": floor_ms, "floor_same_pids_cpu_ms": floor_cpu,
        "rss_kb": rss_kb, "hwm_kb": hwm_kb,
        "churn_per_interval": churn_n, "churn_sweeps": len(churn),
        "churn_quiet_sweeps": sum(1 for c in churn if c[2] == "quiet"),
        "churn_partial_sweeps": sum(1 for c in churn if c[2] == "partial"),
        "churn_full_sweeps": sum(1 for c in churn if c[2] == "full"),
        "churn_processes_read": statistics.median(c[3] for c in churn)
        if churn and churn[0][3] is not None else None,
        "quiet_processes_read": statistics.median(q[2] for q in quiet)
        if quiet and quiet[0][2] is not None else None,
        "churn_cpu_ms": med(churn, 0), "churn_wall_ms": med(churn, 1),
        "churn_cpu_ms_per_s": round(churn_cpu_per_s / 1000, 3),
    }
    q = out["quiet_cpu_ms"] if out["quiet_cpu_ms"] is not None else out["forced_full_cpu_ms"]
    out["quiet_over_floor"] = round(q / floor_ms, 4)
    out["full_over_floor"] = round(out["forced_full_wall_ms"] / floor_ms, 3)
    if out["churn_cpu_ms"] is not None:
        out["churn_over_floor"] = round(out["churn_cpu_ms"] / floor_ms, 3)
    return out


# ---------------------------------------------------------------- part 3 and 4c: the guest
def part_guest(out_dir):
    env = dict(os.environ)
    r = subprocess.run([os.path.join(TOP, "tests/guest/run.sh"), "--case", "bench-migrate",
                        "--timeout", "600", "cxl"], capture_output=True, text=True, env=env)
    sys.stdout.write("".join(f"  guest: {line}\n" for line in r.stdout.splitlines()[-12:]))
    console = os.path.join(TOP, "build/guest-cxl/console.txt")
    res = {"passed": r.returncode == 0, "records": []}
    if os.path.exists(console):
        with open(console, errors="replace") as f:
            for line in f:
                if line.startswith("CXLTEST-SHOW BENCH "):
                    fields = dict(x.split("=", 1) for x in line.split()[2:] if "=" in x)
                    res["records"].append(fields)
    return res


# ---------------------------------------------------------------- output
def fmt_ms(v):
    return f"{v:9.1f}" if v is not None else "        -"


def table(doc):
    p = print
    rows = doc["scan"]["rows"]
    p("\n== 1. scan --all vs what users would run (wall, median of "
      f"{doc['config']['reps']}; ratio = time / reading every /proc/PID/maps, same run)")
    names = [("floor", "read every maps (c)"), ("scan", "scan --all (query)"),
             ("scan_text", "scan --all (text)"), ("scan_table", "scan --all (table)"),
             ("scan_json", "scan --all --json"), ("admin", "admin script (a)"),
             ("numastat", "numastat -p, extrap (b)"), ("queryloop", "bare query loop (d)"),
             ("vmafloor", "exec VMAs by query only (e)")]
    p(f"  {'approach':26}" + "".join(f" | N={r['n_started']:>5} ({r['processes']} procs)".ljust(32)
                                      for r in rows))
    for k, label in names:
        if k not in rows[0]["results"]:
            continue
        cells = ""
        for r in rows:
            x = r["results"][k]
            cells += (f" | {x['wall_ms']:8.1f} ms {r['ratio_vs_floor'][k]:5.2f}x "
                      f"{x['maxrss_kb'] / 1024:6.1f}M").ljust(32)
        p(f"  {label:26}{cells}")
    r = rows[-1]
    p(f"  (largest N: {r['exec_mappings']} exec mappings, {r['exec_pages']} exec pages, "
      f"{r['resident_pages']} resident; scan {r['pages_per_s']['scan'] / 1e6:.1f} M pages/s, "
      f"bare loop {r['pages_per_s']['queryloop'] / 1e6:.1f} M pages/s)")
    for r in rows:
        if "vmafloor" in r["results"]:
            v = r["results"]["vmafloor"]["wall_ms"]
            p(f"  N={r['n_started']}: asking PROCMAP_QUERY for the executable VMAs alone (e) is "
              f"{r['ratio_vs_floor']['vmafloor']:.2f}x reading every maps; scan --all is "
              f"{r['results']['scan']['wall_ms'] / v:.2f}x (e)")
    p("  fitted CPU cost (least squares over the sizes):")
    for k, label in names:
        f = doc["scan"]["fits"].get(k)
        if f:
            p(f"    {label:26} {f['cpu_us_per_process']:8.1f} us/process (R2 {f['r2']:.3f}), "
              f"{f['cpu_us_per_exec_mapping']:6.2f} us/exec mapping, fixed {f['fixed_cpu_ms']:.1f} ms")
    h = doc["hostile"]
    m = h["many_mappings"]
    p(f"\n== 2. hostile shapes\n  one process, {m['mappings']} executable mappings "
      "(wall, ratio to reading its maps, CPU us per mapping, peak RSS):")
    for k in m["results"]:
        x = m["results"][k]
        p(f"    {k:12} {x['wall_ms']:9.1f} ms {m['ratio_vs_floor'][k]:6.2f}x "
          f"{m['cpu_us_per_mapping'][k]:7.2f} us/mapping {x['maxrss_kb'] / 1024:6.1f} MiB")
    hh = h["huge_empty_exec"]
    for gib, s in hh["sizes"].items():
        rr = s["results"]
        p(f"  {gib:>5} GiB PROT_EXEC, {s['resident_pages']} pages touched (scan says resident "
          f"{s['scan_resident']}): scan {rr['scan']['wall_ms']:.1f} ms, text "
          f"{rr['scan_text']['wall_ms']:.1f} ms"
          + (f", bare loop {rr['queryloop']['wall_ms']:.1f} ms" if "queryloop" in rr else ""))
    p(f"  scan cost big/small: {hh['scan_big_over_small']}x (query), "
      f"{hh['scan_text_big_over_small']}x (text); the bare loop would take "
      f"~{hh['queryloop_extrapolated_ms'] / 1000:.1f} s on the big one")
    d = doc.get("daemon")
    if d:
        table_daemon(d)
    g = doc.get("guest")
    if g:
        p(f"\n== 3. migration in the cxl guest (TCG: absolute speeds are QEMU's)"
          f"{'' if g['passed'] else ' -- GUEST CASE FAILED'}")
        for rec in g["records"]:
            p("  " + " ".join(f"{k}={v}" for k, v in rec.items()))
    sc = doc.get("scale")
    if sc:
        p(f"\n== 5. on paper: {sc['processes']} processes ({sc['cores']} cores), from the fits above")
        p(f"  scan --all {sc['scan_all_cpu_s']} s CPU (floor {sc['floor_cpu_s']} s, admin script "
          f"{sc['admin_cpu_s']} s); daemon full sweep {sc['daemon_full_sweep_cpu_s']} s CPU, "
          f"quiet sweep {sc['daemon_quiet_sweep_cpu_ms']} ms CPU")
    p("\n== bars (issue 9; migration and longest call under TCG)")
    for k, v in doc["bars"].items():
        p(f"  {k:28} {v['value']:>10} (bar {v['bar']}): {'met' if v['met'] else 'MISSED'}")


def table_daemon(d):
    p = print
    p(f"\n== 4. cxlpolicyd steady state: {d['governed_processes']} governed processes, "
      f"interval {d['interval_s']} s; ran on: {d['mode']}")
    if d.get("sysroot_unavailable"):
        p(f"  (no sysroot with a CXL node: {d['sysroot_unavailable']})")
    p(f"  quiet sweep: {d['quiet_cpu_ms']} ms CPU ({d['quiet_sweeps']} samples, "
      f"{d.get('quiet_processes_read')} processes read); periodic full: "
      f"{d['periodic_full_cpu_ms']} ms CPU; {d['idle_cpu_ms_per_s']} ms CPU/s over 3 unobserved"
      " intervals")
    p(f"  forced full sweep: {d['forced_full_wall_ms']:.1f} ms wall, {d['forced_full_cpu_ms']:.1f}"
      f" ms CPU; floor (maps of the same pids) {d['floor_same_pids_ms']:.1f} ms -> "
      f"full {d['full_over_floor']}x, quiet {d['quiet_over_floor']}x the floor")
    p(f"  RSS {d['rss_kb'] / 1024:.1f} MiB (VmHWM {d['hwm_kb'] / 1024:.1f} MiB), "
      f"{d.get('daemon_fds')} open fds")
    p(f"  churn {d['churn_per_interval']} processes/interval: sweep {d['churn_cpu_ms']} ms CPU"
      f" ({d['churn_quiet_sweeps']} quiet, {d.get('churn_partial_sweeps')} partial, "
      f"{d.get('churn_full_sweeps')} full of {d['churn_sweeps']}; "
      f"{d.get('churn_processes_read')} processes read), {d['churn_cpu_ms_per_s']} ms CPU/s,"
      f" {d.get('churn_over_floor')}x the floor")


def scale(doc, procs=20000, cores=256):
    """Part 5, on paper: the fitted costs carried to a 256-core node with 20,000 processes."""
    f = doc["scan"]["fits"]
    d = doc["daemon"]
    per_proc_full = d["forced_full_cpu_ms"] / d["governed_processes"]
    per_proc_quiet = (d["quiet_cpu_ms"] or 0) / d["governed_processes"]
    return {
        "processes": procs, "cores": cores,
        "scan_all_cpu_s": round(f["scan"]["cpu_us_per_process"] * procs / 1e6, 2),
        "floor_cpu_s": round(f["floor"]["cpu_us_per_process"] * procs / 1e6, 2),
        "admin_cpu_s": round(f["admin"]["cpu_us_per_process"] * procs / 1e6, 2),
        "daemon_full_sweep_cpu_s": round(per_proc_full * procs / 1000, 2),
        "daemon_quiet_sweep_cpu_ms": round(per_proc_quiet * procs, 2),
        "per_mapping_us": doc["hostile"]["many_mappings"]["cpu_us_per_mapping"]["scan"],
    }


def plots(doc, out):
    rows = doc["scan"]["rows"]
    keys = [k for k in ("floor", "scan", "scan_text", "scan_json", "admin", "numastat",
                        "queryloop", "vmafloor") if k in rows[0]["results"]]
    with open(os.path.join(out, "scan.dat"), "w") as f:
        f.write("# processes " + " ".join(keys) + " (wall ms) | ratios | rss MiB\n")
        for r in rows:
            f.write(f"{r['processes']} " + " ".join(str(r["results"][k]["wall_ms"]) for k in keys)
                    + " " + " ".join(str(r["ratio_vs_floor"][k]) for k in keys)
                    + " " + " ".join(str(r["results"][k]["maxrss_kb"] / 1024) for k in keys)
                    + "\n")
    n = len(keys)
    gp = [
        "set terminal pngcairo noenhanced size 900,560 font 'DejaVu Sans,10'",
        "set key left top; set grid; set xlabel 'processes on the machine'",
        f"set output '{out}/scan-time.png'",
        "set ylabel 'wall ms (median)'; set logscale y",
        "set title 'scan of every process vs what users would run'",
        "plot " + ", ".join(f"'{out}/scan.dat' u 1:{i + 2} w lp t '{k}'" for i, k in enumerate(keys)),
        f"set output '{out}/scan-ratio.png'",
        "set ylabel 'time / reading every /proc/PID/maps (log)'",
        "set title 'ratio to the maps-read floor, same run'",
        "plot " + ", ".join(f"'{out}/scan.dat' u 1:{n + i + 2} w lp t '{k}'"
                            for i, k in enumerate(keys)) + ", 0.6 dt 2 t 'bar for scan (0.6x)'",
        f"set output '{out}/scan-rss.png'",
        "unset logscale y; set ylabel 'peak RSS MiB'; set title 'peak RSS'",
        "plot " + ", ".join(f"'{out}/scan.dat' u 1:{2 * n + i + 2} w lp t '{k}'"
                            for i, k in enumerate(keys)) + ", 10 dt 2 t 'bar (10 MiB)'",
    ]
    g = doc.get("guest")
    calls = [r for r in (g or {}).get("records", []) if r.get("what") == "raw_chunk"]
    if calls:
        with open(os.path.join(out, "migrate.dat"), "w") as f:
            for r in calls:
                f.write(f"{r['chunk']} {r['gbps']} {int(r['longest_us']) / 1000}\n")
        gp += [f"set output '{out}/migrate-chunks.png'", "set logscale x 2",
               "set xlabel 'pages per move_pages call'; set ylabel 'longest call ms (TCG)'",
               "set y2label 'GB/s'; set y2tics; set title 'raw move_pages in the cxl guest'",
               f"plot '{out}/migrate.dat' u 1:3 w lp t 'longest call ms', "
               f"'' u 1:2 axes x1y2 w lp t 'GB/s'"]
    with open(os.path.join(out, "plots.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")
    r = subprocess.run(["gnuplot", os.path.join(out, "plots.gp")], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"gnuplot: {r.stderr.strip()}")


# ---------------------------------------------------------------- main
def main():
    args = sys.argv[1:]
    opt = {}
    quick = "--quick" in args
    guest = "--guest" in args
    daemon_only = "--daemon-only" in args
    it = iter(a for a in args if a not in ("--quick", "--guest", "--daemon-only"))
    for a in it:
        opt[a.lstrip("-")] = next(it)
    cfg = QUICK if quick else FULL
    if os.geteuid() != 0:
        die("needs root: it creates cgroups and reads every process's maps (run as root)")
    ctl, daemon, bindir, out = opt["ctl"], opt["daemon"], opt["bin"], opt["out"]
    os.makedirs(out, exist_ok=True)
    for stale in ("migrate.dat", "migrate-chunks.png", "bench.json"):
        if os.path.exists(os.path.join(out, stale)):
            os.unlink(os.path.join(out, stale))
    runner = Runner(bindir)
    start = time.monotonic()

    def on_signal(sig, _frame):
        raise SystemExit(128 + sig)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    pop = Population(cfg["groups"])
    doc = {"issue": 9, "mode": "quick" if quick else "full", "config": cfg,
           "kernel": os.uname().release, "cpus": os.cpu_count(),
           "cgroup": pop.dir, "maps_method": None}
    if daemon_only:
        return main_daemon_only(cfg, pop, runner, ctl, daemon, bindir, out, doc)
    try:
        with tempfile.TemporaryDirectory(prefix="cxlbench-") as tmp:
            m = re.search(r'"maps_method":"(\w+)"', runner.run(
                [ctl, "--json", "scan", "--pid", str(os.getpid())], keep_output=True)["output"])
            doc["maps_method"] = m.group(1) if m else None
            rows, fits = part_scan(dict(cfg, sizes=cfg["sizes"][:2]), pop, runner, ctl, bindir)
            # The daemon runs at the second size (1,000 in the full run) before the largest.
            doc["daemon"] = part_daemon(cfg, pop, runner, ctl, daemon, bindir, tmp)
            cur = pop.count()
            big = cfg["sizes"][2]
            if cur > big:
                die(f"population {cur} after the daemon part is above the largest size {big}")
            more, _ = part_scan(dict(cfg, sizes=[big]), pop, runner, ctl, bindir)
            rows += more
            fits = refit(rows)
            doc["scan"] = {"rows": rows, "fits": fits}
            doc["hostile"] = part_hostile(cfg, pop, runner, ctl, bindir)
    finally:
        pop.cleanup()
    if guest:
        doc["guest"] = part_guest(out)
    mid = doc["scan"]["rows"][1]  # N = 1,000 in the full run
    res = mid["results"]
    doc["bars"] = {
        "admin_over_scan": bar("admin_over_scan", res["admin"]["wall_ms"] / res["scan"]["wall_ms"]),
        "scan_over_floor": bar("scan_over_floor", mid["ratio_vs_floor"]["scan"]),
        "scan_over_queryloop": bar("scan_over_queryloop",
                                   res["scan"]["wall_ms"] / res["queryloop"]["wall_ms"]),
        "scan_rss_mib": bar("scan_rss_mib", max(res[k]["maxrss_kb"] for k in
                                                ("scan", "scan_text", "scan_table", "scan_json"))
                            / 1024),
    }
    hm = doc["hostile"]["many_mappings"]["results"]
    doc["bars"]["hostile_scan_rss_mib"] = bar(
        "hostile_scan_rss_mib", max(hm[k]["maxrss_kb"] for k in ("scan", "scan_text", "scan_json")) / 1024)
    d = doc["daemon"]
    doc["bars"]["daemon_quiet_over_floor"] = bar("daemon_quiet_over_floor", d["quiet_over_floor"])
    if d.get("churn_over_floor") is not None:  # "little changed": 1% new processes
        doc["bars"]["daemon_churn_over_floor"] = dict(
            bar("daemon_quiet_over_floor", d["churn_over_floor"]))
    qcpu = d["quiet_cpu_ms"] if d["quiet_cpu_ms"] is not None else d["forced_full_cpu_ms"]
    doc["bars"]["daemon_sweep_cpu_ms"] = bar("daemon_sweep_cpu_ms", qcpu)
    doc["bars"]["daemon_rss_mib"] = bar("daemon_rss_mib", d["hwm_kb"] / 1024)
    for rec in (doc.get("guest") or {}).get("records", []):
        if rec.get("what") == "migrate_vs_raw":
            doc["bars"]["migrate_over_raw"] = bar("migrate_over_raw", float(rec["ratio"]))
        if rec.get("what") == "cxlpolicyctl_migrate" and "longest_us" in rec:
            doc["bars"]["longest_call_ms"] = bar("longest_call_ms", int(rec["longest_us"]) / 1000)
    doc["scale"] = scale(doc)
    doc["seconds"] = round(time.monotonic() - start, 1)
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump(doc, f, indent=1)
    table(doc)
    plots(doc, out)
    print(f"\nbench: {doc['mode']} run in {doc['seconds']} s; {out}/bench.json, "
          f"{out}/scan-time.png, scan-ratio.png, scan-rss.png"
          + (", migrate-chunks.png" if os.path.exists(os.path.join(out, "migrate.dat")) else ""))
    if guest and not doc["guest"]["passed"]:
        die("the bench-migrate guest case failed")


def main_daemon_only(cfg, pop, runner, ctl, daemon, bindir, out, doc):
    """--daemon-only: part 4 alone at the configuration's daemon_procs (to iterate on the
    daemon); writes bench-daemon.json, not bench.json."""
    try:
        with tempfile.TemporaryDirectory(prefix="cxlbench-") as tmp:
            pop.add_pythons(min(40, max(4, cfg["daemon_procs"] // 30)))
            doc["daemon"] = d = part_daemon(cfg, pop, runner, ctl, daemon, bindir, tmp)
    finally:
        pop.cleanup()
    qcpu = d["quiet_cpu_ms"] if d["quiet_cpu_ms"] is not None else d["forced_full_cpu_ms"]
    doc["bars"] = {"daemon_quiet_over_floor": bar("daemon_quiet_over_floor", d["quiet_over_floor"]),
                   "daemon_sweep_cpu_ms": bar("daemon_sweep_cpu_ms", qcpu),
                   "daemon_rss_mib": bar("daemon_rss_mib", d["hwm_kb"] / 1024)}
    if d.get("churn_over_floor") is not None:
        doc["bars"]["daemon_churn_over_floor"] = bar("daemon_quiet_over_floor",
                                                     d["churn_over_floor"])
    with open(os.path.join(out, "bench-daemon.json"), "w") as f:
        json.dump(doc, f, indent=1)
    table_daemon(d)
    for k, v in doc["bars"].items():
        print(f"  {k:28} {v['value']:>10} (bar {v['bar']}): {'met' if v['met'] else 'MISSED'}")


def refit(rows):
    fits = {}
    for k in rows[0]["results"]:
        xs = [r["processes"] for r in rows]
        ys = [r["results"][k]["cpu_ms"] for r in rows]
        a, b, r2 = fit_line(xs, ys)
        a2, b2, r22 = fit_line([r["exec_mappings"] for r in rows], ys)
        fits[k] = {"fixed_cpu_ms": round(a, 3), "cpu_us_per_process": round(b * 1000, 2),
                   "r2": round(r2, 4), "cpu_us_per_exec_mapping": round(b2 * 1000, 3),
                   "r2_mapping": round(r22, 4)}
    return fits


if __name__ == "__main__":
    main()
