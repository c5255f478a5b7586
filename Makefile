# Rig's build, run and test entry points. Each target installs the Debian packages it needs
# when they are missing (apt-get; sudo when not root), so a fresh machine with Swift works.

SWIFT ?= swift
RIG := .build/debug/rig
RIG_RELEASE := .build/release/rig

# Packages: Lua for the build, luacheck for the tests (node, wat2wasm and, from PyPI, Wasmtime
# for the wasm lanes; vmtouch, brotli and zstd for the size recipe), hyperfine and time as
# benchmark anchors.
BUILD_PACKAGES := pkg-config liblua5.4-dev musl-tools
TEST_PACKAGES := $(BUILD_PACKAGES) lua-check valgrind nodejs wabt vmtouch brotli zstd hyperfine \
  luarocks lua-lpeg lua-cjson lua-filesystem
PYTHON ?= python3
BENCH_PACKAGES := $(BUILD_PACKAGES) lua5.4 hyperfine time valgrind

# $(call ensure_packages,LIST): apt-get install whatever of LIST dpkg does not know.
define ensure_packages
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

# SwiftPM plans its build (and runs the Lua-embedding plugin) only when the package structure
# changes; when the set of Lua files changed, touching Package.swift makes it plan again.
define refresh_lua_plan
	@mkdir -p .build; \
	find stdlib/rig recipes -type f | sort > .build/rig-lua-files.new; \
	if cmp -s .build/rig-lua-files.new .build/rig-lua-files.txt; then rm .build/rig-lua-files.new; \
	else touch Package.swift; mv .build/rig-lua-files.new .build/rig-lua-files.txt; fi
endef

.PHONY: all deps build release run test lint spec swift-test fuzz-build fuzz fuzz-replay fuzz-merge bench clean install

all: build

deps:
	$(call ensure_packages,$(TEST_PACKAGES))
	@$(PYTHON) -c 'import wasmtime' 2>/dev/null || { echo "make: installing wasmtime from PyPI"; \
	  $(PYTHON) -m pip install --quiet wasmtime; }

build:
	$(call ensure_packages,$(BUILD_PACKAGES))
	$(refresh_lua_plan)
	$(SWIFT) build

# Release builds link the Swift runtime and Foundation statically: rig starts in about 6 ms
# instead of 10 (dynamic relocation of libFoundation dominated; docs/benchmarks.md).
release:
	$(call ensure_packages,$(BUILD_PACKAGES))
	$(refresh_lua_plan)
	$(SWIFT) build -c release -Xswiftc -static-stdlib

## Rig's main job on a default that needs nothing else: the bench recipe over the shipped
## workloads with every lane this machine has (results in rig-results/).
run: build
	$(RIG) run bench

## Everything CI runs: luacheck, the Lua specs inside rig, Swift Testing (bridge, CLI), and
## the fuzz targets over their committed corpus.
test: deps build lint spec swift-test fuzz-replay

lint:
	luacheck --no-color -q stdlib recipes

spec: build
	$(RIG) run spec stdlib/spec/*_spec.lua

# The bisection tests measure planted slowdowns of a few percent: they run on their own,
# after the others, so the rest of the suite's load on the machine's cores is not their noise.
swift-test: build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip BisectTests
	$(SWIFT) test --skip-build --filter BisectTests

## Fuzzing (libFuzzer, from the Swift toolchain's clang and swiftc): the JSON parser, the
## profile scanner, and the TOML reader (Lua, driven from C with line coverage). Tests/Fuzz
## says what each target checks. `make fuzz` runs each for FUZZ_SECONDS on the committed
## corpus (Tests/Fuzz/corpus/NAME), new inputs going to .build/fuzz/new-NAME and crashes to
## .build/fuzz/crash-NAME-*; `make fuzz-merge` folds the new inputs into the corpus, minimised.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := json profile toml
FUZZ_DIR := .build/fuzz
ARTIFACTS_SRC := Sources/RigKit/Artifacts
FUZZ_FLAGS := -sanitize=fuzzer,address -parse-as-library -O

$(FUZZ_DIR)/json: Tests/Fuzz/FuzzJSON.swift Tests/Fuzz/FuzzSupport.swift $(ARTIFACTS_SRC)/JSONParser.swift $(ARTIFACTS_SRC)/JSONWriter.swift
	@mkdir -p $(FUZZ_DIR)
	swiftc $(FUZZ_FLAGS) $^ -o $@ 2>&1 | { grep -v 'ld.gold: warning' || true; }

$(FUZZ_DIR)/profile: Tests/Fuzz/FuzzProfile.swift Tests/Fuzz/FuzzSupport.swift $(ARTIFACTS_SRC)/JSONParser.swift $(ARTIFACTS_SRC)/JSONWriter.swift $(ARTIFACTS_SRC)/LineScanner.swift
	@mkdir -p $(FUZZ_DIR)
	swiftc $(FUZZ_FLAGS) $^ -o $@ 2>&1 | { grep -v 'ld.gold: warning' || true; }

$(FUZZ_DIR)/toml: Tests/Fuzz/fuzz_toml.c
	@mkdir -p $(FUZZ_DIR)
	clang -O1 -g -fsanitize=fuzzer,address $$(pkg-config --cflags lua5.4) $< $$(pkg-config --libs lua5.4) -o $@ 2>&1 \
	  | { grep -v 'ld.gold: warning' || true; }

fuzz-build:
	$(call ensure_packages,$(BUILD_PACKAGES))
	@$(MAKE) --no-print-directory $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

# Every committed input once: what a past run found stays fixed.
fuzz-replay: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  RIG_STDLIB_DIR=stdlib $(FUZZ_DIR)/$$t -runs=0 Tests/Fuzz/corpus/$$t > $(FUZZ_DIR)/$$t-replay.log 2>&1 \
	    || { tail -30 $(FUZZ_DIR)/$$t-replay.log; exit 1; }; \
	  echo "fuzz $$t (corpus replay): $$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' $(FUZZ_DIR)/$$t-replay.log | tail -1)"; \
	done

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/new-$$t; \
	  RIG_STDLIB_DIR=stdlib $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/new-$$t Tests/Fuzz/corpus/$$t > $(FUZZ_DIR)/$$t.log 2>&1; \
	  status=$$?; \
	  echo "fuzz $$t: $$(grep -E '^#[0-9]+[[:space:]]+DONE' $(FUZZ_DIR)/$$t.log | tail -1) \
	    crashes: $$(ls $(FUZZ_DIR)/crash-$$t-* 2>/dev/null | wc -l) (log $(FUZZ_DIR)/$$t.log)"; \
	  [ $$status -eq 0 ] || { tail -30 $(FUZZ_DIR)/$$t.log; exit 1; }; \
	done

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  RIG_STDLIB_DIR=stdlib $(FUZZ_DIR)/$$t -merge=1 -max_len=4096 Tests/Fuzz/corpus/$$t $(FUZZ_DIR)/new-$$t 2>&1 | tail -1; \
	done

## Installs rig (a release build: the Swift runtime linked statically, the stdlib and recipes
## built in) and its shell completions under $(DESTDIR)$(PREFIX).
PREFIX ?= /usr/local
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(RIG_RELEASE) $(DESTDIR)$(PREFIX)/bin/rig
	$(RIG_RELEASE) completions bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/rig
	$(RIG_RELEASE) completions zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_rig
	$(RIG_RELEASE) completions fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/rig.fish

## Benchmarks against anchors in the same run (see docs/benchmarks.md).
bench: release
	$(call ensure_packages,$(BENCH_PACKAGES))
	$(RIG_RELEASE) run recipes/bench/host.lua
	$(RIG_RELEASE) run recipes/bench/proc.lua
	$(RIG_RELEASE) run recipes/bench/stats.lua
	$(RIG_RELEASE) run recipes/bench/artifacts.lua
	$(RIG_RELEASE) run recipes/bench/lanes.lua
	$(RIG_RELEASE) run recipes/bench/reports.lua
	$(RIG_RELEASE) run recipes/bench/instructions.lua
	$(RIG_RELEASE) run recipes/bench/compare.lua
	$(RIG_RELEASE) run recipes/bench/sweep.lua

clean:
	rm -rf .build
