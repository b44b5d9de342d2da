#!/bin/sh
# fetch.sh — fetch and unpack a guest kernel and the CXL tools into a cache folder.
#
# Usage: tests/guest/fetch.sh [6.1|6.12]
#   6.1 (default)  the kernel linux-image-amd64 depends on (Debian 12: 6.1), plus the
#                  cxl/ndctl/daxctl tools and their libraries, in the cache folder itself
#   6.12           the kernel linux-image-6.12-amd64 depends on (bookworm-security/backports),
#                  in the cache's 6.12/ subfolder; fetches the 6.1 set first (the tools
#                  come from there)
# Cache: $CXLPOLICY_GUEST_CACHE (default tests/guest/.cache). Layout of each folder:
#   root/   every package unpacked with dpkg -x (kernel in root/boot, modules in root/lib/modules)
#   kver    the guest kernel release (e.g. 6.1.0-56-amd64)
#   stamp   "package=version" lines; the folder is reused while they match apt's candidates.
# Idempotent: a second run with unchanged apt candidates downloads nothing. Nothing is
# installed on the host. Needs apt lists (apt-get update) for the first fetch.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${CXLPOLICY_GUEST_CACHE:-$here/.cache}

# Packages besides the kernel: the cxl/ndctl/daxctl tools and the libraries they load.
# Host copies of the common libraries would do, but a fresh machine may lack some.
TOOLS="ndctl daxctl libcxl1 libndctl6 libdaxctl1 libiniparser1 libtraceevent1 \
libtracefs1 libkmod2 libuuid1 libjson-c5 libudev1 liblzma5 libzstd1 libssl3 libkeyutils1"

die() {
	echo "fetch.sh: $*" >&2
	exit 1
}

# The versioned kernel package that the meta package $1 currently depends on.
kernel_package() {
	apt-cache depends "$1" 2>/dev/null |
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

# fetch_into DIR META [PACKAGE...]: the kernel META depends on plus PACKAGEs, unpacked
# into DIR/root, unless DIR/stamp already names the same versions.
fetch_into() {
	dir=$1
	meta=$2
	shift 2
	kpkg=$(kernel_package "$meta") || true
	if [ -z "$kpkg" ] || ! want=$(candidates "$kpkg" "$@"); then
		if [ -s "$dir/stamp" ] && [ -d "$dir/root" ] && [ -s "$dir/kver" ]; then
			echo "fetch.sh: apt cannot resolve $meta (run apt-get update?); using $dir" >&2
			return 0
		fi
		die "apt cannot resolve $meta${1:+ and the ndctl packages}: run apt-get update"
	fi

	if [ -d "$dir/root" ] && [ -s "$dir/kver" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$want" ]; then
		return 0
	fi

	echo "fetch.sh: fetching $(echo "$want" | wc -l) packages into $dir" >&2
	mkdir -p "$dir"
	rm -rf "$dir/root" "$dir/debs" "$dir/stamp" "$dir/kver"
	mkdir -p "$dir/debs" "$dir/root"
	# apt-get download writes into the current directory; _apt cannot write here, so it
	# downloads unsandboxed and says so on stderr. That is expected for root.
	# shellcheck disable=SC2086 # $want is a list of words by design
	(cd "$dir/debs" && apt-get download -q $want) >"$dir/download.log" 2>&1 ||
		die "apt-get download failed; see $dir/download.log"
	for deb in "$dir"/debs/*.deb; do
		dpkg -x "$deb" "$dir/root" || die "dpkg -x $deb failed"
	done

	kver=${kpkg#linux-image-}
	if [ ! -f "$dir/root/boot/vmlinuz-$kver" ] || [ ! -d "$dir/root/lib/modules/$kver" ]; then
		die "no kernel $kver in $kpkg"
	fi
	echo "$kver" >"$dir/kver"
	rm -rf "$dir/debs"
	echo "$want" >"$dir/stamp"
	echo "fetch.sh: guest kernel $kver ready in $dir" >&2
}

case ${1:-6.1} in
6.1) ;;
6.12) ;;
*)
	echo "usage: fetch.sh [6.1|6.12]" >&2
	exit 2
	;;
esac

# shellcheck disable=SC2086 # $TOOLS is a list of words by design
fetch_into "$cache" linux-image-amd64 $TOOLS
if [ "${1:-6.1}" = 6.12 ]; then
	fetch_into "$cache/6.12" linux-image-6.12-amd64
fi
