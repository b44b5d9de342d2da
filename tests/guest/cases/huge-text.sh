#!/bin/sh
# topology: plain hmat
# Second review of issue 7: executable file mappings backed by huge pages, on the slow node.
#   A: a 2 MiB file on tmpfs mounted huge=always (a shmem THP, PMD-mapped by a 2 MiB-aligned
#      PROT_READ|PROT_EXEC mapping: what READ_ONLY_THP_FOR_FS or large folios give text).
#   B: a 4 MiB file on hugetlbfs (two 2 MiB hugetlb pages) mapped PROT_READ|PROT_EXEC.
# For each: scan counts the mapping in its own page size (A: 512 pages of 4 KiB, all `huge`
# where PAGEMAP_SCAN tells; B: 2 pages of 2 MiB), resident_bytes/cxl_bytes are the real bytes,
# and one `migrate --pid` brings every byte to node 0 (exit 0, moved_bytes = the bytes), as
# textmap's own move_pages() view confirms.
# shellcheck source=../caselib.sh
. /etc/caselib.sh

bad=
note() {
	echo "MISMATCH: $*"
	bad="$bad; $*"
}

# check NAME FILE PAGES PAGE_SIZE: map FILE in textmap on $SLOW, scan, migrate, re-check.
check() {
	_n=$1 _f=$2 _pages=$3 _psz=$4
	_bytes=$((_pages * _psz))
	_base=$((_bytes / 4096))
	wl_start "$_n" cxlpolicyctl run --membind "$SLOW" -- /bin/textmap --file "$_f" --fault all
	wl_cmd "$_n" report
	echo "$_n before: $WL_REPLY"
	[ "$(field "$WL_REPLY" "file_node$SLOW")" = "$_base" ] ||
		fail "setup: $_n: not all $_base base pages on node $SLOW: $WL_REPLY"
	_out=$(cxlpolicyctl --json scan --pid "$WL_PID")
	_m=$(jmappings "$_out" | grep "\"path\":\"$_f\"")
	echo "$_n scan: $_m"
	echo "$_n totals: $(echo "$_out" | grep -o '"totals":{[^}]*}' | tail -n 1)"
	[ "$(jnum "$_m" pages)" = "$_pages" ] || note "$_n: pages=$(jnum "$_m" pages), expected $_pages"
	[ "$(jnum "$_m" resident)" = "$_pages" ] || note "$_n: resident=$(jnum "$_m" resident), expected $_pages"
	[ "$(jnum "$_m" cxl_pages)" = "$_pages" ] || note "$_n: cxl_pages=$(jnum "$_m" cxl_pages), expected $_pages"
	if echo "$_out" | grep -q '"residency_method":"pagemap_scan"'; then
		[ "$(jnum "$_m" huge)" = "$_pages" ] || note "$_n: huge=$(jnum "$_m" huge), expected $_pages (PAGEMAP_SCAN)"
	fi
	[ "$(jtotal "$_out" cxl_bytes)" = "$_bytes" ] || note "$_n: totals cxl_bytes=$(jtotal "$_out" cxl_bytes), expected $_bytes"
	_rc=0
	_mig=$(cxlpolicyctl --json migrate --pid "$WL_PID") || _rc=$?
	echo "$_n migrate rc=$_rc: $(jsummary "$_mig")"
	wl_cmd "$_n" report
	echo "$_n after: $WL_REPLY"
	[ "$(field "$WL_REPLY" file_node0)" = "$_base" ] ||
		note "$_n: after migrate $(field "$WL_REPLY" file_node0) of $_base base pages on node 0: $WL_REPLY"
	[ "$_rc" = 0 ] || note "$_n: migrate exit $_rc"
	[ "$(jnum "$_mig" moved_bytes)" = "$_bytes" ] ||
		note "$_n: moved_bytes=$(jnum "$_mig" moved_bytes), expected $_bytes"
	[ "$(jnum "$_mig" failed_pages)" = 0 ] || note "$_n: failed_pages=$(jnum "$_mig" failed_pages)"
	echo "CXLTEST-SHOW huge-text ($CXLTEST_TOPOLOGY) $_n: scan pages=$(jnum "$_m" pages) resident=$(jnum "$_m" resident) huge=$(jnum "$_m" huge) cxl_bytes=$(jtotal "$_out" cxl_bytes); migrate rc=$_rc moved_pages=$(jnum "$_mig" moved_pages) moved_bytes=$(jnum "$_mig" moved_bytes) failed=$(jnum "$_mig" failed_pages); after: node0 $(field "$WL_REPLY" file_node0)/$_base"
	wl_quit "$_n"
}

# A: shmem THP text
mkdir -p /mnt/thp
mount -t tmpfs -o huge=always,size=64m none /mnt/thp || fail "setup: cannot mount tmpfs huge=always"
must cxlpolicyctl run --membind "$SLOW" -- dd if=/dev/zero of=/mnt/thp/text bs=2M count=1
grep -E 'ShmemHugePages|FileHugePages' /proc/meminfo
[ "$(awk '/^ShmemHugePages:/ { print $2 }' /proc/meminfo)" -ge 2048 ] ||
	fail "setup: the tmpfs file is not a THP (ShmemHugePages < 2048 kB)"
check thp /mnt/thp/text 512 4096

# B: hugetlbfs text
for n in 0 "$SLOW"; do
	echo 4 >"/sys/devices/system/node/node$n/hugepages/hugepages-2048kB/nr_hugepages" ||
		fail "setup: cannot reserve huge pages on node $n"
	echo "node$n free huge pages: $(cat "/sys/devices/system/node/node$n/hugepages/hugepages-2048kB/free_hugepages")"
done
mkdir -p /mnt/huge
mount -t hugetlbfs none /mnt/huge || fail "setup: cannot mount hugetlbfs"
truncate -s 4M /mnt/huge/text || fail "setup: cannot size the hugetlbfs file"
check hugetlb /mnt/huge/text 2 2097152

[ -z "$bad" ] || fail "${bad#; }"
