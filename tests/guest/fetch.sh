#!/bin/sh
# fetch.sh — fetch and unpack the guest kernel and the CXL tools into a cache folder.
#
# Usage: tests/guest/fetch.sh
# Cache: $CXLPOLICY_GUEST_CACHE (default tests/guest/.cache). Layout:
#   root/   every package unpacked with dpkg -x (kernel in root/boot, modules in root/lib/modules)
#   kver    the guest kernel release (e.g. 6.1.0-56-amd64)
#   stamp   "package=version" lines; the cache is reused while they match apt's candidates.
# Nothing is installed on the host. Needs apt lists (apt-get update) for the first fetch.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${CXLPOLICY_GUEST_CACHE:-$here/.cache}

# Packages besides the kernel: the cxl/ndctl/daxctl tools and the libraries they load.
# Host copies of the common libraries would do, but a fresh machine may lack some.
PACKAGES="ndctl daxctl libcxl1 libndctl6 libdaxctl1 libiniparser1 libtraceevent1 \
libtracefs1 libkmod2 libuuid1 libjson-c5 libudev1 liblzma5 libzstd1 libssl3 libkeyutils1"

die() {
	echo "fetch.sh: $*" >&2
	exit 1
}

# The kernel package that linux-image-amd64 currently depends on.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1
}

# "pkg=version" for each argument, from apt's candidate versions (one apt-cache call);
# fails if one is unknown.
candidates() {
	apt-cache policy "$@" 2>/dev/null | awk -v n=$# '
		/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
		/^  Candidate: / && $2 != "(none)" { print p "=" $2; found++ }
		END { exit found != n }'
}

kpkg=$(kernel_package) || true
# shellcheck disable=SC2086 # $PACKAGES is a list of words by design
if [ -z "$kpkg" ] || ! want=$(candidates "$kpkg" $PACKAGES); then
	if [ -s "$cache/stamp" ] && [ -d "$cache/root" ]; then
		echo "fetch.sh: apt cannot resolve the packages (run apt-get update?); using the cache" >&2
		exit 0
	fi
	die "apt cannot resolve linux-image-amd64 and the ndctl packages: run apt-get update"
fi

if [ -d "$cache/root" ] && [ -s "$cache/kver" ] && [ "$(cat "$cache/stamp" 2>/dev/null)" = "$want" ]; then
	exit 0
fi

echo "fetch.sh: fetching $(echo "$want" | wc -l) packages into $cache" >&2
mkdir -p "$cache"
rm -rf "$cache/root" "$cache/debs" "$cache/stamp" "$cache/kver"
mkdir -p "$cache/debs" "$cache/root"
# apt-get download writes into the current directory; _apt cannot write here, so it
# downloads unsandboxed and says so on stderr. That is expected for root.
# shellcheck disable=SC2086 # $want is a list of words by design
(cd "$cache/debs" && apt-get download -q $want) >"$cache/download.log" 2>&1 ||
	die "apt-get download failed; see $cache/download.log"
for deb in "$cache"/debs/*.deb; do
	dpkg -x "$deb" "$cache/root" || die "dpkg -x $deb failed"
done

kver=${kpkg#linux-image-}
if [ ! -f "$cache/root/boot/vmlinuz-$kver" ] || [ ! -d "$cache/root/lib/modules/$kver" ]; then
	die "no kernel $kver in $kpkg"
fi
echo "$kver" >"$cache/kver"
rm -rf "$cache/debs"
echo "$want" >"$cache/stamp"
echo "fetch.sh: guest kernel $kver ready" >&2
