# Every target sets up what it needs on a fresh machine: .venv, model files, system packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODELS_STAMP := .models/.prepared
EXTRAS := worker,models,dev
PYTEST_ARGS ?=

.PHONY: install models demo test test-fast test-vllm check bench bench-gpu eval outbound-eval package system-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade uv
	$(BIN)/uv pip install --python $(BIN)/python -q -e ".[$(EXTRAS)]"
	@touch $(STAMP)

install: $(STAMP)

$(MODELS_STAMP): $(STAMP) gpu_worker/models/model_files.py
	$(BIN)/buddyhelps models prepare

models: $(MODELS_STAMP)

system-deps:
	@bash scripts/system_deps.sh

demo: install models
	$(BIN)/buddyhelps demo

test: install models system-deps
	@bash scripts/run_tests.sh $(PYTEST_ARGS)

test-fast: install
	@bash scripts/run_tests.sh -m "not slow and not browser and not vllm" $(PYTEST_ARGS)

test-vllm: install models
	@bash scripts/vllm_tier.sh

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared functions gpu_worker buddyhelps

# Our worker and a stock Pipecat peer (its own .venv-pipecat) on the same simulated calls, then a load
# test whose calls per core become the worker's default capacity (shared/measured_capacity.json).
bench: install models
	@mkdir -p artifacts docs/benchmarks
	@bash scripts/pipecat_peer_venv.sh
	$(BIN)/buddyhelps bench --json --write-capacity --output artifacts/bench.json > /dev/null
	cp artifacts/bench.json docs/benchmarks/bench-cpu-$$(nproc)-cores.json

# Text-mode conversations per agent template through the real planner and the CPU model, scored
# (fields, safety lines, facts, inventions), plus the knowledge set: artifacts/eval.json.
eval: install models
	@mkdir -p artifacts
	$(BIN)/python -m buddyhelps.eval.run_eval --output artifacts/eval.json

# Outbound campaigns against the simulated callees (real worker and models, through serve): JSON figures.
outbound-eval: install models
	@mkdir -p artifacts
	BUDDYHELPS_DATA_DIR=artifacts/outbound-eval-data $(BIN)/buddyhelps campaign eval --json artifacts/outbound-eval.json

# On a lent GPU machine, offline: production backends, 1 then 8 and 32 calls at once (see the script).
bench-gpu:
	@bash scripts/bench_gpu.sh

package: install
	$(BIN)/python scripts/package_lambda.py --output build/lambda.zip

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

.PHONY: terraform-test checkov
# The Terraform module's own tests (mocked AWS provider, offline); also run by `make test`.
terraform-test:
	@bash scripts/terraform_offline.sh init -backend=false -input=false -no-color >/dev/null
	@bash scripts/terraform_offline.sh test

# Security scan of infra/terraform and template.yaml (its own venv; ~1 min on first use).
checkov:
	@bash scripts/checkov.sh

.PHONY: soak
# Measured robustness (not in `make test`): simulated calls against the real functions and worker for up
# to SOAK_MINUTES, then the worker killed mid-call, the functions down while reports are due, and the
# worker restarted with reports in its outbox. JSON in artifacts/soak.json; exit 1 unless all passed.
SOAK_CALLS ?= 20
SOAK_CONCURRENCY ?= 2
SOAK_MINUTES ?= 10
soak: install models
	$(BIN)/python -m buddyhelps.soak --calls $(SOAK_CALLS) --concurrency $(SOAK_CONCURRENCY) \
		--minutes $(SOAK_MINUTES) --json artifacts/soak.json $(SOAK_ARGS)

.PHONY: terraform-moto
# `terraform apply` + destroy of the module against a local moto server (~2 min; not in `make test`).
terraform-moto: install
	TERRAFORM_MOTO_APPLY=1 $(BIN)/python -m pytest tests/infra/test_terraform_moto.py -v
