#!/usr/bin/env bash
# Rebuild the seed corpora tests/fuzz/corpus/NAME/seed-* from the fixture trees (files named
# by content hash, so reruns add nothing twice). Reproducers of fixed crashes (crash-*) in the
# same folders are kept: they are regression tests replayed by every fuzz run.
# Usage: tests/fuzz/seed.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fx=$(cd "$here/../fixtures" && pwd)

# add NAME: stdin becomes one seed of corpus NAME.
add() {
	local tmp sum
	tmp=$(mktemp)
	cat >"$tmp"
	sum=$(sha1sum "$tmp" | cut -c1-16)
	mkdir -p "$here/corpus/$1"
	mv "$tmp" "$here/corpus/$1/seed-$sum"
	chmod 0644 "$here/corpus/$1/seed-$sum"
}
files() {
	find "$fx" -type f -name "$1" | LC_ALL=C sort
}

rm -f "$here"/corpus/*/seed-*
for f in $(files maps); do
	# at most 100 lines (-max_len is 16 KiB); the first 30 lines also alone, for
	# procmaps_parse_line (which gets an input's first line)
	head -n 100 "$f" | add fuzz_maps_line
	head -n 30 "$f" | while IFS= read -r line; do printf '%s\n' "$line" | add fuzz_maps_line; done
done
for n in cpulist nodelist online possible 'has_*' 'cpuset.mems*' 'cpuset.cpus*'; do
	for f in $(files "$n"); do add fuzz_idset <"$f"; done
done
for n in stat status cgroup; do
	for f in $(files "$n"); do add fuzz_procinfo <"$f"; done
done
for f in $(files status); do
	{ echo Cpus_allowed_list; cat "$f"; } | add fuzz_procinfo
done
for n in distance meminfo cgroup.procs; do
	for f in $(files "$n"); do add fuzz_sysfs <"$f"; done
done
# resolved dax device paths, as topology_dax_cxl_region() gets them
find "$fx" -path '*/bus/dax/devices/*' -type l | while read -r l; do
	readlink "$l" | sed 's#^\(\.\./\)*#/sys/#' | add fuzz_sysfs
done
# policy files: the examples of policies/ (format v1)
for f in "$here"/../../policies/*.json; do add fuzz_policy <"$f"; done
# glob, newline, cgroup path: the example globs and real-looking systemd and kubelet paths
uid=6f9c2a1e-3b4d-4c5e-8f7a-9b0c1d2e3f40 id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
for pair in "web.slice/**|web.slice/nginx.service" "batch.slice/**|batch.slice" "**|" \
	"scratch.slice/*|scratch.slice/a/b" "a/**/c|a/x/y/c" "*a*a*b|xaxab" "?.slice|\xc3\xa9.slice" \
	"kubepods.slice/**|kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid//-/_}.slice/cri-containerd-$id.scope" \
	"kubepods/*/pod*/*|kubepods/besteffort/pod$uid/$id" \
	"**/crio-*.scope|kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod${uid//-/_}.slice/crio-$id.scope" \
	"system.slice/docker-*.scope|system.slice/docker-$id.scope"; do
	printf '%b\n%s' "${pair%%|*}" "$(printf '%b' "${pair#*|}")" | add fuzz_match
done
# control-socket requests: one of each command, and apply requests carrying the example policies
for req in '{"version":1,"command":"ping"}' '{"version":1,"command":"reload","args":{}}' \
	'{"version":1,"command":"status","args":{"cgroup":"web.slice/a.service"}}' \
	'{"version":1,"command":"sweep","args":{"policy":"web","cgroup":""}}' \
	'{"version":1,"command":"apply","args":{"files":[{"name":"p.json","content":"{}"}],"dry_run":true}}'; do
	printf '%s' "$req" | add fuzz_ipc_request
done
for f in "$here"/../../policies/*.json; do
	python3 -c 'import json, os, sys
print(json.dumps({"version": 1, "command": "apply",
                  "args": {"files": [{"name": os.path.basename(sys.argv[1]),
                                      "content": open(sys.argv[1]).read()}]}}))' "$f" |
		add fuzz_ipc_request
done
for d in "$here"/corpus/*/; do
	echo "$(basename "$d"): $(find "$d" -name 'seed-*' | wc -l) seeds"
done
