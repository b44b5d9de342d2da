# cxlpolicy — plain Makefile.  `make help` lists the targets.
# Flags that ask pkg-config are expanded lazily (=), so `make deps run` on a fresh
# machine sees the libraries that `deps` has just installed.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
CC ?= cc

PKG_LIBS := json-c numa libsystemd
CHECK_LIBS := check

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2
BASE_CFLAGS = -std=gnu11 -D_GNU_SOURCE -g $(WARNINGS) -fno-common -fstack-protector-strong \
	-Ipkg $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)
OPT_CFLAGS := -O2 -D_FORTIFY_SOURCE=2
SAN_FLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
LIBS = $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null || echo -ljson-c -lnuma -lsystemd)
CHECK_LDLIBS = $(shell pkg-config --libs $(CHECK_LIBS) 2>/dev/null || echo -lcheck)

PKG_SRCS := $(wildcard pkg/*.c)
CTL_SRCS := $(wildcard cmd/cxlpolicyctl/*.c)
DAEMON_SRCS := $(wildcard cmd/cxlpolicyd/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
GUEST_PROG_SRCS := $(wildcard tests/guest/progs/*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)

# Two flavours of every object: release (build/) and sanitized (build/asan/).
REL_PKG_OBJS := $(PKG_SRCS:%.c=build/obj/%.o)
SAN_PKG_OBJS := $(PKG_SRCS:%.c=build/asan/obj/%.o)
REL_CTL_OBJS := $(CTL_SRCS:%.c=build/obj/%.o)
SAN_CTL_OBJS := $(CTL_SRCS:%.c=build/asan/obj/%.o)
REL_DAEMON_OBJS := $(DAEMON_SRCS:%.c=build/obj/%.o)
SAN_DAEMON_OBJS := $(DAEMON_SRCS:%.c=build/asan/obj/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/asan/tests/%)
GUEST_PROGS := $(GUEST_PROG_SRCS:tests/guest/progs/%.c=build/guest/%)
# libFuzzer targets: clang, the library built with ASan+UBSan and fuzzer coverage.
FUZZ_CC := clang
FUZZ_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_PKG_OBJS := $(PKG_SRCS:%.c=build/fuzz/obj/%.o)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)

.PHONY: all deps run check unit integration fuzz fuzz-quick guest guest-shell bench bench-quick demo \
	install clean format help

all: build/bin/cxlpolicyctl build/bin/cxlpolicyd $(GUEST_PROGS)

help:
	@echo "make deps         install every Debian package the build and tests need (root)"
	@echo "make              build build/bin/cxlpolicyctl"
	@echo "make run          show the memory topology and scan every process"
	@echo "make check        unit tests (ASan+UBSan), host integration tests, fuzz-quick, guest tests"
	@echo "make fuzz         run every libFuzzer target 60 s (fuzz-quick: 10 s, part of check)"
	@echo "make guest-shell  boot the test guest with a shell (TOPOLOGY=plain|cxl|hmat)"
	@echo "make demo         boot the CXL guest: code on CXL is slow, one sweep fixes it (chart in build/demo/)"
	@echo "make bench        scan, daemon and migration cost as ratios against what users would run (root, <10 min, build/bench/)"
	@echo "make bench-quick  the same harness with small N, no guest (<1 min, part of check)"
	@echo "make install      install to \$$(DESTDIR)\$$(PREFIX)"

DEB_PACKAGES := build-essential pkg-config libnuma-dev libjson-c-dev \
	libcgroup-dev libsystemd-dev check libsubunit-dev \
	qemu-system-x86 busybox-static cpio xz-utils python3 gnuplot-nox fonts-dejavu-core \
	clang libclang-rt-14-dev btrfs-progs numactl

deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (apt-get install)"; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES)

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

build/asan/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

build/lib/libcxlpolicy.a: $(REL_PKG_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

build/asan/lib/libcxlpolicy.a: $(SAN_PKG_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

build/bin/cxlpolicyctl: $(REL_CTL_OBJS) build/lib/libcxlpolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

build/asan/bin/cxlpolicyctl: $(SAN_CTL_OBJS) build/asan/lib/libcxlpolicy.a
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

build/bin/cxlpolicyd: $(REL_DAEMON_OBJS) build/lib/libcxlpolicy.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

build/asan/bin/cxlpolicyd: $(SAN_DAEMON_OBJS) build/asan/lib/libcxlpolicy.a
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

build/asan/tests/%: build/asan/obj/tests/unit/%.o build/asan/lib/libcxlpolicy.a
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LDLIBS)

# test_control runs the daemon's control server on a real socket: link it in (before the library).
build/asan/tests/test_control: build/asan/obj/tests/unit/test_control.o \
		build/asan/obj/cmd/cxlpolicyd/control.o build/asan/lib/libcxlpolicy.a
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LDLIBS)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(BASE_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(CFLAGS) -MMD -MP -c -o $@ $<

build/fuzz/lib/libcxlpolicy.a: $(FUZZ_PKG_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o build/fuzz/lib/libcxlpolicy.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LIBS)

# unitcg drives the daemon's sd-bus unit code (cmd/cxlpolicyd/units.c) in the systemd guest.
build/guest/unitcg: tests/guest/progs/unitcg.c build/obj/cmd/cxlpolicyd/units.o build/lib/libcxlpolicy.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) $(CFLAGS) -Icmd/cxlpolicyd $(LDFLAGS) -o $@ $^ $(LIBS)

build/guest/%: tests/guest/progs/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP -o $@ $< -lnuma

run: build/bin/cxlpolicyctl
	build/bin/cxlpolicyctl nodes
	@echo
	build/bin/cxlpolicyctl scan --all --summary

unit: $(UNIT_BINS)
	@tests/unit/run.sh $(UNIT_BINS)

integration: build/asan/bin/cxlpolicyctl build/asan/bin/cxlpolicyd
	@tests/integration/run.sh build/asan/bin/cxlpolicyctl

fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh 60 $(FUZZ_BINS)

fuzz-quick: $(FUZZ_BINS)
	@tests/fuzz/run.sh 10 $(FUZZ_BINS)

# The unit binaries go into the guest too (the unit-suites case).
guest: build/bin/cxlpolicyctl build/bin/cxlpolicyd $(GUEST_PROGS) $(UNIT_BINS)
	@tests/guest/run-all.sh

guest-shell: build/bin/cxlpolicyctl build/bin/cxlpolicyd $(GUEST_PROGS)
	tests/guest/run.sh $(or $(TOPOLOGY),cxl) --shell

check: unit integration fuzz-quick bench-quick guest

install: build/bin/cxlpolicyctl build/bin/cxlpolicyd
	install -D -m 0755 build/bin/cxlpolicyctl $(DESTDIR)$(BINDIR)/cxlpolicyctl
	install -D -m 0755 build/bin/cxlpolicyd $(DESTDIR)$(BINDIR)/cxlpolicyd

format:
	clang-format -i $(PKG_SRCS) $(wildcard pkg/*.h) $(CTL_SRCS) $(DAEMON_SRCS) $(wildcard cmd/*/*.h) $(UNIT_SRCS) \
		$(FUZZ_SRCS) tests/fuzz/fuzzlib.h

clean:
	rm -rf build

.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)

# make bench (issue 9): tests/bench/README.md. The population program links ~15 shared
# libraries whether or not it calls them, like a typical service: those of DEB_PACKAGES'
# -dev packages (libsystemd brings lzma, zstd, lz4, gcrypt, cap) and zlib (Priority: required).
BENCH_TOOLS := build/bench/runstat build/bench/mapsfloor build/bench/queryloop \
	build/bench/vmafloor build/bench/hostile build/bench/sleeper
BENCH_SLEEPER_LIBS := -Wl,--no-as-needed -lm -l:libz.so.1 -lnuma -ljson-c -lsystemd -lcgroup \
	-lcheck -lsubunit -lpthread -Wl,--as-needed
BENCH_ARGS = --ctl build/bin/cxlpolicyctl --daemon build/bin/cxlpolicyd --bin build/bench \
	--out build/bench

build/bench/sleeper: tests/bench/sleeper.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $< $(BENCH_SLEEPER_LIBS)

build/bench/vmafloor: tests/bench/vmafloor.c tests/bench/eachpid.h pkg/procmap_query.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ipkg -o $@ $<

build/bench/%: tests/bench/%.c tests/bench/eachpid.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

# numactl's migratepages goes into the guest (mkinitramfs.sh copies build/guest with its
# libraries) for the bench-migrate case.
build/guest/migratepages: /usr/bin/migratepages
	@mkdir -p $(@D)
	cp $< $@

bench: build/bin/cxlpolicyctl build/bin/cxlpolicyd $(BENCH_TOOLS) $(GUEST_PROGS) \
		build/guest/migratepages
	@tests/bench/bench.py --guest $(BENCH_ARGS)

bench-quick: build/bin/cxlpolicyctl build/bin/cxlpolicyd $(BENCH_TOOLS)
	@tests/bench/bench.py --quick $(BENCH_ARGS)

demo: build/bin/cxlpolicyctl build/bin/cxlpolicyd $(GUEST_PROGS)
	@tests/guest/demo.sh
