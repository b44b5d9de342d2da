#!/usr/bin/env bash
# What finding the resident pages of a huge, almost empty PROT_EXEC mapping
# costs with move_pages (today's scan), pagemap entries, PAGEMAP_SCAN and
# smaps (issue 7 item 11).  Measurement only, not part of make check.
#   tests/bench/residency.sh [SIZE_GIB [MOVE_PAGES_GIB [PAGEMAP_GIB]]]   (4096 16 256)
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s build/lib/libcxlpolicy.a
mkdir -p build/bench
cc -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Ipkg -o build/bench/residency \
	tests/bench/residency.c build/lib/libcxlpolicy.a -lnuma
exec build/bench/residency "$@"
