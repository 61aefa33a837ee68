# holdfast — one plain, non-recursive Makefile.
#
#   make              build libholdfast and the holdfast binary
#   make run          initialise the default store (if missing) and show how to use it
#   make test         build and run every test (unit, fuzz corpus replay, end to end)
#   make test-long    the larger sweeps (crash sweep with more kill points, 2 GiB round trip)
#   make bench        benchmarks, printing ratios against this machine's own limits
#   make SANITIZE=address,undefined ...   the sanitized variant (in build-san/)
#
# Dependencies (Debian packages) are installed by scripts/deps.sh when missing.

CC       ?= gcc
SANITIZE ?=
BUILD    := build$(if $(SANITIZE),-san)

WARN     := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough -fno-common
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c17 $(WARN) -D_FORTIFY_SOURCE=3 -fstack-protector-strong -pthread \
            -Iinclude -Isrc
# libxml2 (the S3 request-body parsers); expanded when used, after deps.sh ran
CFLAGS   += $(shell pkg-config --cflags libxml-2.0)
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer \
            -U_FORTIFY_SOURCE -O1
LDFLAGS  += -fsanitize=$(SANITIZE)
endif
LIBS     := -lisal -lcrypto -lsqlite3 -lxxhash -lxml2 -ljansson -lz -lmicrohttpd -lcurl -lm -pthread

LIB_SRC  := $(wildcard src/util/*.c src/store/*.c src/meta/*.c src/backend/*.c src/auth/*.c \
              src/audit/*.c src/policy/*.c src/s3/*.c)
CMD_SRC  := $(wildcard cmd/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libholdfast.a
BIN      := $(BUILD)/holdfast

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%-replay)
BENCH_BIN := $(BUILD)/bench/pipeline

DATA     ?= ./holdfast-data

.PHONY: all deps run test test-unit test-fuzz test-e2e test-long bench fuzz clean
all: deps $(BIN)

deps:
	@scripts/deps.sh build

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fvisibility=hidden -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CMD_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(LIB) $(LIBS)

# Unit tests link the library's objects directly so they can test internals.
$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS) -lcmocka

# Test tools: drivers the end-to-end tests run (merkle_kat prints what the
# Merkle code computes for tests/tools/rfc6962.py to check); internals too.
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

# Fuzz targets: a replay driver (any compiler) runs the corpus in make test;
# `make fuzz` builds the libFuzzer binaries with clang.  UBSan must not
# recover, or libFuzzer would neither stop nor save an input that triggers UB.
$(BUILD)/fuzz/%-replay: fuzz/%.c fuzz/replay.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ fuzz/$*.c fuzz/replay.c $(LIB) $(LIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

run: all
	@scripts/run.sh $(BIN) $(DATA)

test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory $(BIN) $(UNIT_BIN) $(FUZZ_REPLAY) $(TOOL_BIN)
	@HOLDFAST_BIN=$(abspath $(BIN)) BUILD=$(BUILD) tests/run.sh $(UNIT_BIN) -- $(FUZZ_REPLAY)

test-long:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory $(BIN)
	@HOLDFAST_BIN=$(abspath $(BIN)) LONG=1 tests/run.sh --e2e-only

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory $(BIN) $(BENCH_BIN)
	@HOLDFAST_BIN=$(abspath $(BIN)) bench/run.sh $(BENCH_BIN)
	@HOLDFAST_BIN=$(abspath $(BIN)) bench/http.sh
	@$(MAKE) --no-print-directory $(BUILD)/bench/audit_log
	@rm -rf $(BUILD)/bench-audit && $(BUILD)/bench/audit_log $(BUILD)/bench-audit \
	    $${BENCH_AUDIT_N:-1000000}; rc=$$?; rm -rf $(BUILD)/bench-audit; exit $$rc

fuzz:
	@scripts/deps.sh test
	@mkdir -p $(BUILD)/fuzz
	for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -Iinclude -Isrc $$(pkg-config --cflags libxml-2.0) \
	    -o $(BUILD)/fuzz/$$n $$f $(LIB_SRC) $(LIBS) || exit 1; done

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
