# Native (C++) MCAP core: build, sanitizer unit tests, fuzzing, benchmark.
# Included from the Makefile (`include mk/native.mk`). `native-deps` installs the Debian
# packages the build needs (only the missing ones; apt-get needs root, or sudo).
NATIVE_APT_PACKAGES := cmake ninja-build pkg-config g++ clang libclang-rt-14-dev \
	libzstd-dev liblz4-dev zlib1g-dev zstd
NATIVE_SOURCES := $(shell find native -name '*.cpp' -o -name '*.hpp' -o -name CMakeLists.txt)
NATIVE_JOBS ?= 2
NICE ?= nice -n 10
CLANGXX ?= clang++
FUZZ_SECONDS ?= 60
# 1: the same inputs in the same order on every machine, so a CI failure reproduces with the
# same command; FUZZ_SEED=0 lets libFuzzer pick one (exploration).
FUZZ_SEED ?= 1
NATIVE_BUILD := build/native
SAN_BUILD := $(NATIVE_BUILD)/asan
TSAN_BUILD := $(NATIVE_BUILD)/tsan
FUZZ_BUILD := $(NATIVE_BUILD)/fuzz
FUZZ_CORPUS := var/fuzz/corpus
FUZZ_SEEDS := var/fuzz/seeds
SHARED_MCAP := ../shared/data/mcap
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

.PHONY: native-deps native-build native-test native-test-tsan fuzz fuzz-seeds fuzz-replay native-bench native-clean

## Debian packages the native core builds against; installs only what is missing.
native-deps:
	@missing=$$(for p in $(NATIVE_APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; fi; \
	fi

## Rebuild argus._native into the venv in place (incremental; no build isolation).
native-build: setup
	$(PY) -m pip install --quiet scikit-build-core nanobind
	$(NICE) env CMAKE_BUILD_PARALLEL_LEVEL=$(NATIVE_JOBS) \
		$(PY) -m pip install --quiet --no-build-isolation --no-deps -e .

## C++ unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (clang), run over
## synthetic hostile files and every file in ../shared/data/mcap, var/fuzz/seeds and the
## fuzzer corpus var/fuzz/corpus (when a fuzz run has made one).
native-test: fuzz-seeds
	cmake -S native -B $(SAN_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=$(CLANGXX) \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DARGUS_PYTHON_MODULE=OFF -DARGUS_TESTS=ON \
		-DARGUS_SANITIZE=address,undefined
	$(NICE) cmake --build $(SAN_BUILD) -j $(NATIVE_JOBS)
	$(SAN_ENV) $(SAN_BUILD)/argus_native_tests $(SHARED_MCAP) $(FUZZ_SEEDS) $(FUZZ_CORPUS)

## The chunk pipeline's tests and every real file read with several threads, under
## ThreadSanitizer: a data race between the reader and its decompressing threads fails.
native-test-tsan:
	cmake -S native -B $(TSAN_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=$(CLANGXX) \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DARGUS_PYTHON_MODULE=OFF -DARGUS_TESTS=ON \
		-DARGUS_SANITIZE=thread
	$(NICE) cmake --build $(TSAN_BUILD) -j $(NATIVE_JOBS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		$(TSAN_BUILD)/argus_native_tests --filter=threaded_,real_files $(SHARED_MCAP)/ros2

## Seed corpus for the fuzzer: the shared MCAP files plus small generated drive logs.
fuzz-seeds: setup
	$(PY) native/fuzz/make_seed_corpus.py --out $(FUZZ_SEEDS) --shared $(SHARED_MCAP)

## libFuzzer (+ASan+UBSan) over the reader and decoders for FUZZ_SECONDS (default 60 s) from
## FUZZ_SEED. A failing input is printed in base64 (a CI log keeps only its tail) and kept in
## var/fuzz/artifacts: decode it and run `fuzz_mcap FILE` to replay it.
fuzz: fuzz-seeds
	cmake -S native -B $(FUZZ_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=$(CLANGXX) \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DARGUS_PYTHON_MODULE=OFF -DARGUS_FUZZ=ON \
		-DARGUS_SANITIZE=address,undefined
	$(NICE) cmake --build $(FUZZ_BUILD) -j $(NATIVE_JOBS)
	mkdir -p $(FUZZ_CORPUS) var/fuzz/artifacts
	$(SAN_ENV) $(NICE) $(FUZZ_BUILD)/fuzz_mcap -max_total_time=$(FUZZ_SECONDS) -seed=$(FUZZ_SEED) \
		-max_len=1048576 -rss_limit_mb=2560 -timeout=30 -print_final_stats=1 \
		-artifact_prefix=var/fuzz/artifacts/ $(FUZZ_CORPUS) $(FUZZ_SEEDS) \
	|| { for f in var/fuzz/artifacts/*; do echo "fuzz input $$f (base64, first 64 KiB):"; \
		head -c 65536 "$$f" | base64 -w 0; echo; done; exit 1; }

## The fuzzer's corpus through both engines: any summary that differs from the reference fails.
fuzz-replay: setup
	PYTHONPATH=. $(PY) native/fuzz/replay_corpus.py $(FUZZ_CORPUS) $(FUZZ_SEEDS)

## Native vs Python reference vs `zstd -d` on a >= 1 GB generated drive log (not a test).
native-bench: setup
	$(PY) bench/parse.py

native-clean:
	rm -rf $(NATIVE_BUILD) var/fuzz
