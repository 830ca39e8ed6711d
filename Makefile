# chstream: ch-fetch | ch-parse | ch-store
#
#   make            build bin/ch-fetch bin/ch-parse bin/ch-store
#   make deps       apt-get install the Debian packages that are missing
#   make test       deps + build + every test; ends with "N passed, N failed"
#   make run        deps + build + run: live with CH_STREAM_KEY, else a replay demo
#   make bench      throughput, latency and memory against simple baselines
#   make check-sanitize / coverage / fuzz / lint / format / format-check
#
# OUT=dir puts the build tree and binaries under dir (sanitizer and coverage
# builds use their own, so they never mix objects with the normal build).

OUT ?= .
BUILD := $(OUT)/build
BIN := $(OUT)/bin

CXX ?= g++
CXXFLAGS ?= -O2 -g
# override: the sanitizer, coverage and fuzz builds pass CXXFLAGS on the
# command line, which would otherwise drop these (and clang defaults to C++14).
override CXXFLAGS += -std=c++17 -Wall -Wextra -Werror -pthread
# Not RAPIDJSON_SSE2: RapidJSON 1.1.0's SSE2 string scan lets the control
# characters 0x1A-0x1F through unescaped (it tests "<= 0x19"), so invalid
# JSON would pass; found by make fuzz (regression test in
# ch-parse/line_document_test.cc).
CPPFLAGS += -I. -I$(BUILD)/gen -MMD -MP
LDLIBS += -lcurl -lsqlite3 -lboost_program_options -pthread
# The three programs link SQLite, Boost.Program_options and the C++ runtime
# statically, from the same Debian packages (libsqlite3-dev and
# libboost-program-options-dev ship the .a files): calls into SQLite then
# go straight to the function instead of through the shared library's PLT,
# and a process maps only what it uses. ch-store over the bench's 100,000
# companies records, 7 alternating pairs: wall median 1.125 s -> 1.050 s
# (ratio 1.07), peak RSS 16.1 -> 15.1 MB. The unit tests, and the
# sanitizer, coverage and fuzz builds (STATIC_LIBS= empty), link as before.
STATIC_LIBS ?= -Wl,-Bstatic -lsqlite3 -lboost_program_options -Wl,-Bdynamic \
	-static-libstdc++ -static-libgcc
PROGRAM_LDLIBS = $(if $(STATIC_LIBS),$(filter-out -lsqlite3 -lboost_program_options,$(LDLIBS)) \
	$(STATIC_LIBS),$(LDLIBS))

PROGRAMS := ch-fetch ch-parse ch-store

# make test and make run build on every core: on the 2-core machine the
# clean-clone build of the programs and the unit tests took 8 min 19 s one
# file at a time, 4 min 24 s with -j2.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

sources_of = $(filter-out %_test.cc $(1)/main.cc $(1)/%_fuzz.cc,$(wildcard $(1)/*.cc))
objects_of = $(patsubst %.cc,$(BUILD)/%.o,$(1))

COMMON_SRCS := $(call sources_of,common)
FETCH_SRCS := $(call sources_of,ch-fetch)
PARSE_SRCS := $(call sources_of,ch-parse)
STORE_SRCS := $(call sources_of,ch-store)
TEST_SRCS := $(wildcard common/*_test.cc ch-fetch/*_test.cc ch-parse/*_test.cc ch-store/*_test.cc)

MIGRATIONS := $(sort $(wildcard migrations/*.sql))
MIGRATIONS_CC := $(BUILD)/gen/migrations_data.cc

LIBCOMMON := $(BUILD)/libcommon.a
LIBFETCH := $(BUILD)/libfetch.a
LIBPARSE := $(BUILD)/libparse.a
LIBSTORE := $(BUILD)/libstore.a
UNIT_TESTS := $(BUILD)/unit_tests

DEBIAN_PACKAGES := g++ make pkg-config libcurl4-openssl-dev rapidjson-dev libsqlite3-dev \
	libboost-program-options-dev libgtest-dev sqlite3 python3 curl util-linux procps \
	clang-format cppcheck openssl

.PHONY: all deps test run bench clean check-sanitize coverage fuzz lint format format-check

all: $(addprefix $(BIN)/,$(PROGRAMS))

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(MIGRATIONS_CC): $(MIGRATIONS) tests/tools/embed_migrations.sh
	@mkdir -p $(dir $@)
	sh tests/tools/embed_migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/migrations_data.o: $(MIGRATIONS_CC)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(LIBCOMMON): $(call objects_of,$(COMMON_SRCS))
$(LIBFETCH): $(call objects_of,$(FETCH_SRCS))
$(LIBPARSE): $(call objects_of,$(PARSE_SRCS))
$(LIBSTORE): $(call objects_of,$(STORE_SRCS)) $(BUILD)/gen/migrations_data.o
$(LIBCOMMON) $(LIBFETCH) $(LIBPARSE) $(LIBSTORE):
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/ch-fetch: $(BUILD)/ch-fetch/main.o $(LIBFETCH) $(LIBCOMMON)
$(BIN)/ch-parse: $(BUILD)/ch-parse/main.o $(LIBPARSE) $(LIBCOMMON)
$(BIN)/ch-store: $(BUILD)/ch-store/main.o $(LIBSTORE) $(LIBCOMMON)
$(addprefix $(BIN)/,$(PROGRAMS)):
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ $(PROGRAM_LDLIBS) -o $@

# The unit tests' own files are compiled without optimisation (appended, so
# it wins over -O2): GoogleTest's macros make them slow to optimise, and they
# run in seconds either way. What they test (the libraries) keeps CXXFLAGS.
# Clean-clone build of the programs and the unit tests with -j2: 246 s, 189 s
# with this.
$(call objects_of,$(TEST_SRCS)): override CXXFLAGS += -O0
# GoogleTest's header, precompiled once with those very flags (GCC uses a
# .gch only when they match, and otherwise reads the header as usual): the
# clean-clone build of the programs and the unit tests with -j2, 179 s
# without it, 142 s with it.
TEST_PCH := $(BUILD)/pch/unit_test_pch.h
$(TEST_PCH).gch: override CXXFLAGS += -O0
$(TEST_PCH).gch: tests/unit_test_pch.h
	@mkdir -p $(dir $@)
	cp $< $(TEST_PCH)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -x c++-header -c $< -o $@
$(call objects_of,$(TEST_SRCS)): override CPPFLAGS += -include $(TEST_PCH)
$(call objects_of,$(TEST_SRCS)): $(TEST_PCH).gch
$(UNIT_TESTS): $(call objects_of,$(TEST_SRCS)) $(LIBFETCH) $(LIBPARSE) $(LIBSTORE) $(LIBCOMMON)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ -lgtest -lgtest_main $(LDLIBS) -o $@

# Installs only what is missing; a no-op (no apt-get, no root) when all is there.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test: deps
	$(MAKE) -j$(JOBS) all $(UNIT_TESTS)
	BIN=$(abspath $(BIN)) UNIT_TESTS=$(abspath $(UNIT_TESTS)) sh tests/run_tests.sh

run: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@sh tests/tools/make_run.sh $(abspath $(BIN))

bench: EXTRA_PACKAGES = jq sqlite-utils time
bench: deps all
	BIN=$(abspath $(BIN)) bash tests/bench/bench.sh

# CH_SANITIZED=1 tells e2e tests that measure memory about ASan's shadow memory.
check-sanitize: export CH_SANITIZED = 1
check-sanitize:
	$(MAKE) deps
	$(MAKE) OUT=build/sanitize CXXFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" STATIC_LIBS= test

coverage: EXTRA_PACKAGES = gcovr
coverage: deps
	rm -rf build/coverage
	$(MAKE) OUT=build/coverage CXXFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" STATIC_LIBS= test
	gcovr --root . --object-directory build/coverage/build --filter 'common/' --filter 'ch-fetch/' \
	  --filter 'ch-parse/' --filter 'ch-store/' --exclude '.*_test\.cc' --exclude '.*_fuzz\.cc' \
	  --print-summary --txt build/coverage/coverage.txt | tail -3

# libFuzzer targets (ch-parse/*_fuzz.cc, ch-fetch/*_fuzz.cc, ch-store/*_fuzz.cc), built with clang
# into FUZZ_OUT and run FUZZ_SECONDS each over a seed corpus made from samples/
# (with <target>.dict beside the source when there is one); the corpus grows
# in FUZZ_OUT/corpus, crashing inputs land in FUZZ_OUT/artifacts.
FUZZ_OUT ?= build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(wildcard ch-parse/*_fuzz.cc ch-fetch/*_fuzz.cc ch-store/*_fuzz.cc)
FUZZ_TARGETS := $(basename $(notdir $(FUZZ_SRCS)))
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all

.PRECIOUS: $(BUILD)/ch-parse/%_fuzz.o $(BUILD)/ch-fetch/%_fuzz.o $(BUILD)/ch-store/%_fuzz.o
$(BIN)/%_fuzz: $(BUILD)/ch-parse/%_fuzz.o $(LIBPARSE) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@
$(BIN)/%_fuzz: $(BUILD)/ch-fetch/%_fuzz.o $(LIBFETCH) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@
$(BIN)/%_fuzz: $(BUILD)/ch-store/%_fuzz.o $(LIBSTORE) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

fuzz: EXTRA_PACKAGES = clang libclang-rt-14-dev
fuzz: deps
	$(MAKE) OUT=$(FUZZ_OUT) CXX=clang++ LDFLAGS="-fsanitize=fuzzer $(FUZZ_SANITIZE)" STATIC_LIBS= \
	  CXXFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE) \
	    -fsanitize-ignorelist=tests/tools/ubsan_ignorelist.txt" \
	  $(addprefix $(FUZZ_OUT)/bin/,$(FUZZ_TARGETS))
	python3 tests/tools/fuzz_seeds.py $(FUZZ_OUT)/seeds
	@failed=""; for src in $(FUZZ_SRCS); do \
	  t=$$(basename $$src .cc); dict=""; [ ! -f $${src%.cc}.dict ] || dict="-dict=$${src%.cc}.dict"; \
	  mkdir -p $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/artifacts; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s (log: $(FUZZ_OUT)/$$t.log)"; \
	  $(FUZZ_OUT)/bin/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -print_final_stats=1 $$dict -artifact_prefix=$(FUZZ_OUT)/artifacts/$$t- \
	    $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/seeds/$$t >$(FUZZ_OUT)/$$t.log 2>&1 || failed="$$failed $$t"; \
	  grep -a -E '^Done [0-9]+ runs|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)|^SUMMARY|invariant broken|Test unit written|^==[0-9]+==ERROR' \
	    $(FUZZ_OUT)/$$t.log | sed "s/^/  $$t: /"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed (crashing inputs in $(FUZZ_OUT)/artifacts)"; exit 1; fi; \
	echo "fuzz: no crashes"

# Static checks over every C++ source (CHECK_DIRS narrows them): clang-tidy with
# the checks in .clang-tidy, cppcheck, and clang-format (.clang-format).
CHECK_DIRS ?= common ch-fetch ch-parse ch-store
CHECK_CC = $(wildcard $(addsuffix /*.cc,$(CHECK_DIRS)))
CHECK_SRCS = $(CHECK_CC) $(wildcard $(addsuffix /*.h,$(CHECK_DIRS)))

TIDY = xargs -P "$$(nproc)" -I{} clang-tidy --quiet $(1) {} -- -std=c++17 -I. -I$(BUILD)/gen

# The static analyzer takes ten times longer on GoogleTest files than on the
# code they test, for little: tests get every other check.
lint: EXTRA_PACKAGES = clang-tidy cppcheck
lint: deps
	@echo "clang-tidy: $(words $(CHECK_CC)) files"
	@log=$$(mktemp); \
	  printf '%s\n' $(filter-out %_test.cc,$(CHECK_CC)) | $(call TIDY) >"$$log" 2>&1; rc=$$?; \
	  printf '%s\n' $(filter %_test.cc,$(CHECK_CC)) | $(call TIDY,'--checks=-clang-analyzer-*') >>"$$log" 2>&1 || rc=1; \
	  grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$$' "$$log"; rm -f "$$log"; exit $$rc
	cppcheck --quiet --std=c++17 --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
	  --suppress=missingIncludeSystem --library=googletest -I. -j "$$(nproc)" $(CHECK_CC)

format: EXTRA_PACKAGES = clang-format
format: deps
	clang-format -i $(CHECK_SRCS)

format-check: EXTRA_PACKAGES = clang-format
format-check: deps
	clang-format --dry-run -Werror $(CHECK_SRCS)

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
