# netboot-check: one Makefile for the tools, the tests and the demo.
#
#   make            build build/bin/netboot-check
#   make deps       install the Debian packages the build and the tests need
#   make check      deps, build, lint-code, every test (unit, golden, tshark agreement, sanitizers)
#   make demo       deps, build, analyze a bundled capture of a failing boot
#   make asan       build and run the tests under ASan + UBSan
#   make lint-code  cppcheck and clang-tidy over our own C sources (part of make check)

CC      ?= cc
BUILD   ?= build
PKGS    := libpcap libiscsi cmocka
# -Wno-format-truncation: report strings are bounded on purpose (snprintf into
# fixed fields); gcc's guess that a long file name "may be truncated" is the intent.
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -Wno-format-truncation -Werror
CSTD    := -std=c11 -D_DEFAULT_SOURCE
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  ?=
# pkg-config for libpcap; libnet1-dev ships no .pc file on Debian 12.
PCAP_CFLAGS := $(shell pkg-config --cflags libpcap 2>/dev/null)
PCAP_LIBS   := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
# nettle: MD5 for iSCSI CHAP (a small, well-kept crypto library; no hand-written MD5).
NETTLE_LIBS := $(shell pkg-config --libs nettle 2>/dev/null || echo -lnettle)
# libiscsi: netboot-firmware's sanboot is a real initiator (the same library the probes use).
ISCSI_LIBS  := $(shell pkg-config --libs libiscsi 2>/dev/null || echo -liscsi)
LIBNET_LIBS := $(shell libnet-config --libs 2>/dev/null || echo -lnet)
ALL_CFLAGS  := $(CSTD) $(OPT) $(WARN) $(SAN) -I. $(PCAP_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN) $(LDFLAGS)

PROTO_SRC   := $(sort $(wildcard proto/*.c))
CHECKER_SRC := $(filter-out checker/main.c,$(sort $(wildcard checker/*.c)))
LINT_SRC    := $(sort $(wildcard lint/*.c))
PROBE_SRC   := $(sort $(wildcard probes/*.c))
REPORT_SRC  := $(sort $(wildcard reports/*.c))
SERVER_SRC  := $(filter-out server/main.c,$(sort $(wildcard server/*.c)))
FW_SRC      := $(filter-out firmware/main.c,$(sort $(wildcard firmware/*.c)))
LIB_SRC     := $(PROTO_SRC) $(CHECKER_SRC) $(LINT_SRC) $(REPORT_SRC) $(SERVER_SRC) $(FW_SRC) \
               $(PROBE_SRC)
LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
GEN_BIN     := $(BUILD)/tests/mkscenarios

NBC := $(BUILD)/bin/netboot-check
SERVE := $(BUILD)/bin/netboot-serve
FIRMWARE := $(BUILD)/bin/netboot-firmware

.PHONY: all deps check demo asan unit golden tshark-agree scenarios lint-code clean example-site server-test bench e2e gold interop fuzz regress valgrind install uninstall
.DELETE_ON_ERROR:

all: $(NBC) $(SERVE) $(FIRMWARE)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/lib/libnbc.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(NBC): $(BUILD)/obj/checker/main.o $(BUILD)/lib/libnbc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PCAP_LIBS) $(LIBNET_LIBS) $(ISCSI_LIBS)

$(SERVE): $(BUILD)/obj/server/main.o $(BUILD)/lib/libnbc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(NETTLE_LIBS)

$(FIRMWARE): $(BUILD)/obj/firmware/main.o $(BUILD)/lib/libnbc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ISCSI_LIBS)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(BUILD)/lib/libnbc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(PCAP_LIBS) $(NETTLE_LIBS) $(ISCSI_LIBS)

$(GEN_BIN): $(BUILD)/obj/tests/gen/mkscenarios.o $(BUILD)/lib/libnbc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PCAP_LIBS)

deps:
	@sh scripts/deps.sh

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

# Regenerates the scenario captures from tests/gen/mkscenarios.c (byte-identical on every run).
scenarios: $(GEN_BIN)
	$(GEN_BIN) pcaps/scenarios

golden: $(NBC) $(GEN_BIN)
	@sh tests/golden/run.sh $(NBC) $(GEN_BIN)
	@sh tests/golden/tcp-half.sh $(NBC)
	@sh tests/golden/capture-loss.sh $(NBC)
	@sh tests/golden/annotate.sh $(NBC)
	@sh tests/golden/install.sh
	@sh tests/reports/run.sh $(NBC)
	@sh tests/reports/html.sh $(NBC)
	@sh tests/lint/run.sh $(NBC)
	@sh tests/golden/diff.sh $(NBC)
	@sh tests/golden/explain.sh $(NBC)

# Benchmarks against the peers (tftpd-hpa, tgt, dnsmasq, ISC dhcpd, perfdhcp); not a test.
bench: $(SERVE) $(NBC) $(GEN_BIN) $(BUILD)/bench/pcaploop
	@sh scripts/bench-deps.sh
	@GEN=$(GEN_BIN) NBC=$(NBC) LOOP=$(BUILD)/bench/pcaploop sh bench/run.sh $(SERVE)

$(BUILD)/bench/pcaploop: bench/pcaploop.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(PCAP_LIBS)

# Hostile input: the fuzzers (clang + libFuzzer; FUZZ_SECONDS per harness), the replay
# of every input they or we ever found (tests/regress/), valgrind over every capture.
fuzz:
	@sh scripts/fuzz.sh

regress: $(NBC)
	@sh tests/regress/run.sh

valgrind: $(NBC)
	@sh scripts/valgrind.sh

server-test: $(SERVE)
	@sh tests/server/run.sh $(SERVE)

# Real firmware: QEMU + Debian's iPXE ROM boot from netboot-serve; analyze must agree.
e2e: $(SERVE) $(NBC) $(FIRMWARE) $(GEN_BIN)
	@sh tests/e2e/dhcpc.sh $(SERVE)
	@sh tests/e2e/fetch.sh $(SERVE)
	@sh tests/e2e/san.sh $(SERVE)
	@sh tests/e2e/firmware.sh $(SERVE) $(FIRMWARE) $(NBC)
	@sh tests/e2e/live.sh $(SERVE) $(FIRMWARE) $(NBC) $(GEN_BIN)
	@sh tests/e2e/gate.sh $(FIRMWARE) $(NBC)
	@sh tests/e2e/probe.sh $(SERVE) $(NBC)

# Real third-party software: QEMU + Debian's iPXE ROM against netboot-serve, and
# netboot-firmware against ISC dhcpd, dnsmasq, tftpd-hpa, tgt and python's http.server.
interop: $(SERVE) $(NBC) $(FIRMWARE)
	@sh tests/interop/servers.sh $(FIRMWARE) $(NBC)
	@sh tests/interop/qemu.sh $(SERVE) $(NBC)

# Regenerates pcaps/gold/: the good runs of tests/e2e/firmware.sh, with their reports.
gold: $(SERVE) $(NBC) $(FIRMWARE)
	@mkdir -p pcaps/gold pcaps/interop
	GOLD=pcaps/gold sh tests/e2e/firmware.sh $(SERVE) $(FIRMWARE) $(NBC)
	GOLD=pcaps/interop sh tests/interop/qemu.sh $(SERVE) $(NBC)

tshark-agree: $(NBC)
	@sh tests/tshark/run.sh $(NBC)

asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" unit golden server-test

check: deps
	$(MAKE) all
	$(MAKE) lint-code
	$(MAKE) unit
	$(MAKE) golden
	$(MAKE) tshark-agree
	$(MAKE) regress
	$(MAKE) valgrind
	$(MAKE) server-test
	$(MAKE) e2e
	$(MAKE) interop
	$(MAKE) asan
	@echo "make check: all suites passed"

demo: deps
	$(MAKE) all
	@sh scripts/demo.sh $(NBC)

# The example site's TFTP/HTTP roots from Debian's packages (never committed), and a
# blank disk image for its iSCSI LUN.
EX := examples/site
example-site:
	@for f in /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/snponly.efi /usr/lib/PXELINUX/lpxelinux.0 \
		/usr/lib/syslinux/modules/bios/ldlinux.c32; do \
		[ -f $$f ] || { echo "example-site: $$f missing: apt-get install ipxe pxelinux syslinux-common"; exit 2; }; \
	done
	mkdir -p $(EX)/tftp $(EX)/images
	cp /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/snponly.efi $(EX)/tftp/
	cp /usr/lib/PXELINUX/lpxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 $(EX)/www/
	[ -f $(EX)/images/disk0.img ] || truncate -s 64M $(EX)/images/disk0.img
	$(SERVE) --site $(EX)/site.conf --check

# cppcheck and clang-tidy (.clang-tidy: the static analyzer) over all of our C, both
# warning-free; run by make check. clang-tidy runs one file per core.
LINT_CODE_DIRS := proto checker reports lint probes server firmware
lint-code:
	cppcheck --error-exitcode=1 --quiet --enable=warning,portability \
		--suppress=missingIncludeSystem -I. $(LINT_CODE_DIRS)
	ls $(addsuffix /*.c,$(LINT_CODE_DIRS)) | xargs -P $$(nproc) -n 4 \
		sh -c 'clang-tidy --quiet "$$@" -- $(CSTD) -I. $(PCAP_CFLAGS)' clang-tidy

# make install [PREFIX=/usr/local] [DESTDIR=staging]: the three tools, their man pages and
# the bash completion (named after the command, as bash-completion looks it up).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MANPAGES := docs/netboot-check.1 docs/netboot-serve.1 docs/netboot-firmware.1

install: all
	install -D -m 0755 $(NBC) $(DESTDIR)$(BINDIR)/netboot-check
	install -D -m 0755 $(SERVE) $(DESTDIR)$(BINDIR)/netboot-serve
	install -D -m 0755 $(FIRMWARE) $(DESTDIR)$(BINDIR)/netboot-firmware
	install -D -m 0644 docs/netboot-check.1 $(DESTDIR)$(MANDIR)/man1/netboot-check.1
	install -D -m 0644 docs/netboot-serve.1 $(DESTDIR)$(MANDIR)/man1/netboot-serve.1
	install -D -m 0644 docs/netboot-firmware.1 $(DESTDIR)$(MANDIR)/man1/netboot-firmware.1
	install -D -m 0644 completions/netboot-check.bash $(DESTDIR)$(BASHCOMPDIR)/netboot-check

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/netboot-check $(DESTDIR)$(BINDIR)/netboot-serve \
		$(DESTDIR)$(BINDIR)/netboot-firmware
	rm -f $(MANPAGES:docs/%=$(DESTDIR)$(MANDIR)/man1/%)
	rm -f $(DESTDIR)$(BASHCOMPDIR)/netboot-check

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
