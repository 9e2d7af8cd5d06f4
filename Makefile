# homenfs build.  Plain make: the tree is small, the dependency list is
# short, and every rule is visible here.  See README.md for the targets.

VERSION := 0.1.0

CC ?= cc
BUILD ?= build
SANITIZE ?= 0
WERROR ?= 0

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wpointer-arith -Wvla -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(SANITIZE),1)
BUILD := $(BUILD)/asan
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

PKGS := yaml-0.1 libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lyaml -lmicrohttpd) -lm

ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DHOMENFS_VERSION='"$(VERSION)"' \
	-Isrc/lib $(WARN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP

LIB_SRC := $(wildcard src/lib/*.c)
CLI_SRC := $(wildcard src/homequota/*.c)
DAEMON_SRC := $(wildcard src/homequotad/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
VMTOOL_SRC := tests/vm/vmtool.c

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJ := $(call obj,$(LIB_SRC))
CLI_OBJ := $(call obj,$(CLI_SRC))
DAEMON_OBJ := $(call obj,$(DAEMON_SRC))
# Everything but the two main() files, so unit tests can link any module.
MODULE_OBJ := $(LIB_OBJ) $(filter-out %/main.o,$(CLI_OBJ) $(DAEMON_OBJ))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

LIBHOMENFS := $(BUILD)/libhomenfs.a
HOMEQUOTA := $(BUILD)/bin/homequota
HOMEQUOTAD := $(BUILD)/bin/homequotad
VMTOOL := $(BUILD)/bin/vmtool
GROWTOOL := $(BUILD)/bin/growtool

PROGRAMS := $(HOMEQUOTA) $(if $(DAEMON_SRC),$(HOMEQUOTAD))

.PHONY: all check check-asan vm-check fuzz test demo bench deps clean
all: $(PROGRAMS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBHOMENFS): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(HOMEQUOTA): $(CLI_OBJ) $(LIBHOMENFS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBHOMENFS) $(PKG_LIBS)

$(HOMEQUOTAD): $(DAEMON_OBJ) $(LIBHOMENFS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(DAEMON_OBJ) $(LIBHOMENFS) $(PKG_LIBS)

$(VMTOOL): $(call obj,$(VMTOOL_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(GROWTOOL): $(call obj,tests/vm/growtool.c) $(BUILD)/obj/src/homequotad/grow.o $(LIBHOMENFS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(MODULE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(PKG_LIBS)

# Unit tests: pure logic and parsers, on the host.
check: $(UNIT_BIN)
	@tests/unit/run $(UNIT_BIN)

check-asan:
	$(MAKE) SANITIZE=1 check

# Scenario tests in a VM running Debian's kernel (see tests/vm/README.md).
vm-check: $(PROGRAMS) $(VMTOOL) $(GROWTOOL)
	tests/vm/run --bin $(BUILD)/bin $(if $(SCENARIOS),--only '$(SCENARIOS)')

# Fuzzers (libFuzzer, clang): each tests/fuzz/fuzz_NAME.c runs for
# FUZZ_SECONDS on a scratch copy of its seeds in tests/fuzz/corpus/NAME.
FUZZ_SECONDS ?= 30
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_LIB_SRC := $(filter-out src/lib/quota.c,$(LIB_SRC))

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRC)
	@mkdir -p $(dir $@)
	clang -g -O1 -std=c11 -D_GNU_SOURCE -DHOMENFS_VERSION='"$(VERSION)"' \
		-Isrc/lib -fsanitize=fuzzer,address,undefined -o $@ $^ \
		$(PKG_LIBS)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		name=$${f#build/fuzz/fuzz_}; \
		rm -rf build/fuzz/corpus-$$name; \
		cp -r tests/fuzz/corpus/$$name build/fuzz/corpus-$$name; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-dict=tests/fuzz/$$name.dict \
			build/fuzz/corpus-$$name 2>build/fuzz/$$name.log || \
			{ tail -n 40 build/fuzz/$$name.log; exit 1; }; \
		tail -n 1 build/fuzz/$$name.log; \
	done

# The whole suite, as CI runs it: warnings are errors here.
test:
	$(MAKE) WERROR=1 check-asan
	$(MAKE) fuzz
	$(MAKE) WERROR=1 vm-check

demo: $(PROGRAMS) $(VMTOOL) $(GROWTOOL)
	tests/vm/run --bin $(BUILD)/bin --demo

# Benchmarks in the VM (tests/vm/bench): figures, not pass/fail targets.
bench: $(PROGRAMS) $(VMTOOL) $(GROWTOOL)
	tests/vm/run --bin $(BUILD)/bin --bench $(if $(SCENARIOS),--only '$(SCENARIOS)')

deps:
	scripts/install-deps

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
