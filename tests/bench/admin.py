#!/usr/bin/env python3
# The script an administrator would write to find code on each NUMA node: for every
# process read /proc/PID/maps (which mappings are executable) and /proc/PID/numa_maps
# (pages per node, "N<k>=<pages>"), and sum the nodes of the executable mappings.
#   admin.py [PID...]      (default: every process)
# Prints "processes=N mappings=N node<k>=<pages>..." (pages as numa_maps counts them).
import os
import sys


def one(pid, nodes):
    try:
        with open(f"/proc/{pid}/maps") as f:
            execs = {line.split("-", 1)[0] for line in f if line.split()[1][2] == "x"}
        if not execs:
            return 0
        found = 0
        with open(f"/proc/{pid}/numa_maps") as f:
            for line in f:
                fields = line.split()
                if fields[0] not in execs:
                    continue
                found += 1
                for fld in fields[2:]:
                    if fld[0] == "N" and "=" in fld:
                        k, v = fld[1:].split("=", 1)
                        nodes[k] = nodes.get(k, 0) + int(v)
        return found
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0


def main():
    pids = sys.argv[1:] or [p for p in os.listdir("/proc") if p.isdigit()]
    nodes = {}
    mappings = sum(one(p, nodes) for p in pids)
    print(f"processes={len(pids)} mappings={mappings} "
          + " ".join(f"node{k}={v}" for k, v in sorted(nodes.items())))


main()
