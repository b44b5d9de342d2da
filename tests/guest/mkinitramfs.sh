#!/bin/sh
# mkinitramfs.sh — build the guest initramfs (cpio newc, gzip).
#
# Usage: tests/guest/mkinitramfs.sh [-o OUT] [-k KDIR] [-u UNITDIR] [-s] [BINDIR...]
#   OUT      default build/guest-initramfs.cpio.gz
#   KDIR     the fetched kernel folder whose modules go in (default: the cache itself,
#            the 6.1 kernel; CACHE/6.12 for the 6.12 one)
#   UNITDIR  a folder of unit test binaries (build/asan/tests): they go to /unit with their
#            ldd closures, and tests/fixtures goes to /fixtures and policies/ to /policies
#            (the unit-suites case)
#   -s       add the host's systemd (the systemd topology: /init execs it as PID 1): see
#            add_systemd below for what goes in
#   BINDIR   folders whose executables go to /bin in the guest, each with its ldd closure
#            (default: build/bin build/guest)
# Contents: busybox-static and its applets, the CXL/dax kernel modules in load order
# (/lib/modules/load.list; .ko.xz decompressed, busybox insmod cannot), cxl/ndctl/daxctl
# with their libraries, the project binaries, tests/guest/cases/*.sh, the case library and
# /init. Needs tests/guest/fetch.sh first.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${CXLPOLICY_GUEST_CACHE:-$here/.cache}
out=$top/build/guest-initramfs.cpio.gz
kdir=$cache
unitdir=
with_systemd=0
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2 ;;
	-k) kdir=$2 ;;
	-u) unitdir=$2 ;;
	-s) with_systemd=1 && shift && continue ;;
	*) break ;;
	esac
	shift 2
done
[ $# -gt 0 ] || set -- "$top/build/bin" "$top/build/guest"

# Modules the CXL bring-up needs; their dependencies are added in load order.
MODULES="libnvdimm nd_btt nd_pmem cxl_acpi cxl_pci cxl_mem cxl_pmem device_dax dax_pmem kmem"

die() {
	echo "mkinitramfs.sh: $*" >&2
	exit 1
}

[ -s "$cache/kver" ] || die "no guest tools in $cache: run tests/guest/fetch.sh"
[ -s "$kdir/kver" ] || die "no guest kernel in $kdir: run tests/guest/fetch.sh"
kver=$(cat "$kdir/kver")
croot=$cache/root
moddir=$kdir/root/lib/modules/$kver
busybox=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
busybox --list >/dev/null 2>&1 && ldd "$busybox" >/dev/null 2>&1 &&
	die "$busybox is dynamically linked: install busybox-static"

stage=$(mktemp -d "${TMPDIR:-/tmp}/cxltest-initramfs.XXXXXX")
chmod 0755 "$stage" # the guest's /: mktemp made it 0700, and non-root cases need to traverse it
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/bin" "$stage/usr/lib/x86_64-linux-gnu" "$stage/usr/lib64" "$stage/etc" \
	"$stage/lib/modules" "$stage/cases" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" \
	"$stage/run" "$stage/root"
# Merged /usr like Debian 12: /lib and /lib64 are links.
rmdir "$stage/lib/modules" "$stage/lib"
mkdir -p "$stage/usr/lib/modules"
ln -s usr/lib "$stage/lib"
ln -s usr/lib64 "$stage/lib64"
ln -s bin "$stage/sbin"
ln -s ../bin "$stage/usr/bin"
ln -s ../bin "$stage/usr/sbin"

# Guest path for a library that ldd found on the host or in the cache's unpacked tree.
guest_path() {
	p=${1#"$croot"}
	case $p in
	/lib/* | /lib64/*) p=/usr$p ;;
	esac
	echo "$p"
}

# copy_with_libs SRC DEST: copy an executable to DEST in the guest plus every shared
# library ldd lists for it (cache libraries first, then the host's), dereferencing links.
copy_with_libs() {
	src=$1
	cp -L "$src" "$stage$2"
	chmod 0755 "$stage$2"
	libs=$(LD_LIBRARY_PATH="$croot/usr/lib/x86_64-linux-gnu:$croot/lib/x86_64-linux-gnu" \
		ldd "$src" 2>&1) || {
		case $libs in
		*"not a dynamic executable"* | *"statically linked"*) return 0 ;;
		esac
		die "ldd $src: $libs"
	}
	if echo "$libs" | grep -q 'not found'; then
		die "missing libraries for $src: $(echo "$libs" | grep 'not found' | tr '\n' ' ')"
	fi
	echo "$libs" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do
			dest=$(guest_path "$lib")
			[ -e "$stage$dest" ] && continue
			mkdir -p "$stage$(dirname "$dest")"
			cp -L "$lib" "$stage$dest"
		done
}

# Kernel modules: depth-first over "depends=" from each .ko's .modinfo section (objcopy,
# so the host needs no kmod), writing the load order to /lib/modules/load.list.
# Debian's 6.12 ships .ko.xz: those are decompressed.
module_path() {
	_m2=$(echo "$1" | tr _ -)
	find "$moddir/kernel" -name "$1.ko" -o -name "$_m2.ko" -o -name "$1.ko.xz" -o -name "$_m2.ko.xz" |
		head -n 1
}
add_module() {
	grep -qx "$1" "$stage/lib/modules/load.list" 2>/dev/null && return 0
	ko=$(module_path "$1")
	[ -n "$ko" ] || die "module $1 not found under $moddir"
	case $ko in
	*.xz) xz -dc "$ko" >"$stage/lib/modules/$1.ko" || die "xz -dc $ko failed" ;;
	*) cp "$ko" "$stage/lib/modules/$1.ko" ;;
	esac
	# Variables are global in sh: expand the list before recursing, keep using "$1".
	for d in $(objcopy -O binary --only-section=.modinfo "$stage/lib/modules/$1.ko" /dev/stdout |
		tr '\0' '\n' | sed -n 's/^depends=//p' | tr , ' '); do
		add_module "$d"
	done
	echo "$1" >>"$stage/lib/modules/load.list"
}
for m in $MODULES; do
	add_module "$m"
done

# busybox and its applets.
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done

# CXL tools.
for tool in cxl ndctl daxctl; do
	rm -f "$stage/bin/$tool"
	copy_with_libs "$croot/usr/bin/$tool" "/bin/$tool"
done

# Project binaries (replace any busybox applet of the same name).
for dir in "$@"; do
	[ -d "$dir" ] || die "no binary folder $dir (run make first)"
	for f in "$dir"/*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then
			continue
		fi
		rm -f "$stage/bin/${f##*/}"
		copy_with_libs "$f" "/bin/${f##*/}"
	done
done

# Unit suites (the unit-suites case) and the fixture trees they read.
if [ -n "$unitdir" ]; then
	[ -d "$unitdir" ] || die "no unit test folder $unitdir (run make unit)"
	mkdir -p "$stage/unit"
	for f in "$unitdir"/test_*; do
		[ -f "$f" ] && [ -x "$f" ] && copy_with_libs "$f" "/unit/${f##*/}"
	done
	cp -a "$top/tests/fixtures" "$stage/fixtures"
	cp -a "$top/policies" "$stage/policies" # the example policies test_policy validates
fi

# systemd as PID 1 (the systemd topology), taken from the host (Debian 12: systemd 252, the
# same release as the guest's userland would have). What it needs: the manager and its private
# libraries (ldd closure, RUNPATH /usr/lib/x86_64-linux-gnu/systemd), journald, the shutdown
# helper (exec'd by PID 1 at poweroff), the unit files of /usr/lib/systemd/system (slices,
# sockets and targets the manager loads itself), /etc/os-release, /etc/machine-id,
# /etc/passwd and /etc/group with root, and the clients the cases call. No dbus: as root,
# systemctl, systemd-run and our units_bus_open() use /run/systemd/private. No generators and
# no udev: the guest's cxltest.target pulls in only journald and cxltest.service.
add_systemd() {
	sd=/usr/lib/systemd
	[ -x "$sd/systemd" ] || die "no $sd/systemd on this host (apt-get install systemd)"
	mkdir -p "$stage$sd" "$stage/etc/systemd/system" "$stage/var/log" "$stage/var/tmp"
	for f in systemd systemd-journald systemd-shutdown; do
		copy_with_libs "$sd/$f" "$sd/$f"
	done
	for f in systemctl systemd-run journalctl busctl systemd-analyze systemd-cgls; do
		src=$(command -v "$f") || die "$f not found on this host"
		rm -f "$stage/bin/$f"
		copy_with_libs "$src" "/bin/$f"
	done
	cp -a "$sd/system" "$stage$sd/system"
	cp -L /usr/lib/os-release "$stage/etc/os-release"
	: >"$stage/etc/machine-id" # empty: systemd generates a transient one at boot
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$stage/etc/passwd"
	printf 'root:x:0:\nsystemd-journal:x:101:\nnogroup:x:65534:\n' >"$stage/etc/group"
	cp "$here"/systemd/*.service "$here"/systemd/*.target "$stage/etc/systemd/system/"
	# Mask what a unit with default dependencies (systemd-run's transient services, slices)
	# would drag in through sysinit.target, sockets.target, basic.target and friends: mounts,
	# udev, random seed, sysctl, tmpfiles, firstboot, getty, logind, timers, dbus. Without
	# this the first systemd-run starts them, two fail in the initramfs (random-seed, sysctl)
	# and the system is degraded. journald stays.
	for w in sysinit sockets basic local-fs timers paths multi-user getty; do
		for u in "$sd/system/$w.target.wants"/*; do
			[ -e "$u" ] || [ -L "$u" ] || continue
			u=${u##*/}
			case $u in
			systemd-journald*) continue ;;
			esac
			ln -sf /dev/null "$stage/etc/systemd/system/$u"
		done
	done
	for u in systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service \
		getty@.service serial-getty@.service systemd-logind.service dbus.service dbus.socket \
		systemd-journal-catalog-update.service systemd-update-done.service; do
		ln -sf /dev/null "$stage/etc/systemd/system/$u"
	done
	cp -a "$top/deploy/systemd" "$stage/deploy"
}
[ "$with_systemd" = 1 ] && add_systemd

# Tests, case library, init.
cp "$here"/cases/*.sh "$stage/cases/"
cp "$here/caselib.sh" "$stage/etc/caselib.sh"
cp "$here/init" "$stage/init"
chmod 0755 "$stage/init"

printf '/usr/lib/x86_64-linux-gnu\n/usr/lib64\n' >"$stage/etc/ld.so.conf"
ldconfig -r "$stage" 2>/dev/null || die "ldconfig -r failed"

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
