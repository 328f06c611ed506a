# hull build. `make` builds build/hullc (and the test bundle); `make check` runs every test.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BUILD ?= build
VERSION := 0.1.0
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

CC ?= cc
PKG_CONFIG ?= pkg-config
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -fno-strict-aliasing \
	-DHULL_VERSION='"$(VERSION)"' -DHULL_COMMIT='"$(GIT_COMMIT)"' -MMD -MP
LDFLAGS += -Wl,--as-needed -Wl,-z,relro -Wl,-z,now
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

HULLC_LIBS := $(shell $(PKG_CONFIG) --libs jansson libseccomp libcap 2>/dev/null || echo -ljansson -lseccomp -lcap)

BASE_SRC := $(wildcard src/base/*.c)
OCI_SRC := $(wildcard src/oci/*.c)
RUNTIME_SRC := $(wildcard src/runtime/*.c)
CGROUP_SRC := $(wildcard src/cgroup/*.c)
HULLC_CLI_SRC := $(wildcard src/cli/hullc/*.c)
LIBHULL_SRC := $(BASE_SRC) $(OCI_SRC)
HULLC_SRC := $(LIBHULL_SRC) $(RUNTIME_SRC) $(CGROUP_SRC) $(HULLC_CLI_SRC)

obj = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(1))
sanobj = $(patsubst src/%.c,$(BUILD)/san/%.o,$(1))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

all: $(BUILD)/hullc bundle

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -c $< -o $@

# hullc is linked statically (static-pie): no dynamic loader or relocation work on every
# command, about 50 fewer page faults and a third less RSS per run (BENCHMARKS.md).
# HULLC_STATIC=0 links it dynamically.
HULLC_STATIC ?= 1
HULLC_LINK := $(if $(filter 1,$(HULLC_STATIC)),-static-pie,)
$(BUILD)/hullc: $(call obj,$(HULLC_SRC))
	$(CC) $(CFLAGS) $(LDFLAGS) $(HULLC_LINK) -o $@ $(filter %.o,$^) $(HULLC_LIBS)

# Sanitizer build of hullc, used by the unit tests and available to integration runs.
$(BUILD)/hullc-san: $(call sanobj,$(HULLC_SRC))
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(HULLC_LIBS)

# Unit tests link the sanitizer objects of everything but the CLI mains.
UNIT_LINK_SRC := $(LIBHULL_SRC) $(RUNTIME_SRC) $(CGROUP_SRC)
$(BUILD)/unit/%: tests/unit/%.c $(call sanobj,$(UNIT_LINK_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -Itests/unit -o $@ $(filter %.c %.o,$^) $(HULLC_LIBS) -lcmocka

# A small busybox bundle for the README, the tests and the benchmarks.
bundle: $(BUILD)/bundle/config.json
$(BUILD)/bundle/config.json: $(BUILD)/hullc tests/make-bundle.sh
	tests/make-bundle.sh $(BUILD)/bundle $(BUILD)/hullc

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

integration: all
	HULLC=$(abspath $(BUILD)/hullc) /usr/bin/python3 -m pytest -ra tests/

# The cgroup and lifecycle suites again on a pure cgroup v2 kernel, in the qemu VM of
# ../shared/cgv2 (this host has the v1 hybrid layout).
check-v2: $(BUILD)/hullc
	HULLC=$(abspath $(BUILD)/hullc) tests/cgv2/run.sh tests/runtime/test_cgroups.py \
		tests/runtime/test_lifecycle.py tests/runtime/test_run.py

# Integration last: its pytest summary is the last line CI prints.
check: unit check-v2 integration

install: all
	install -D -m 0755 $(BUILD)/hullc $(DESTDIR)$(SBINDIR)/hullc
	@for m in docs/man/*.[0-9]; do \
		[ -e "$$m" ] || continue; s=$${m##*.}; \
		install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

# Rebuild what prints the commit when HEAD moves, and nothing else.
$(BUILD)/commit-stamp: FORCE
	@mkdir -p $(BUILD); echo $(GIT_COMMIT) | cmp -s - $@ || echo $(GIT_COMMIT) > $@
$(BUILD)/obj/cli/hullc/main.o $(BUILD)/obj/cli/hull/main.o: $(BUILD)/commit-stamp
FORCE:

.PHONY: all bundle unit integration check check-v2 install format clean FORCE
.SECONDARY:

-include $(wildcard mk/*.mk)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
