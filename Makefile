# The two commands: `make run` (set up, index the bundled corpus, open kb) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
QUESTION ?= How did countries extend pensions to older people who never contributed?

.PHONY: run test install ingest bench clean-index help

help:
	@echo "make run    - install, index corpus/, open kb"
	@echo "make test   - install, run the whole test suite"

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel on these machines (an unpinned torch pulls a multi-GB CUDA build)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,milvus]'
	@touch $(STAMP)

install: $(STAMP)

ingest: install
	$(BIN)/kb ingest corpus

run: ingest
	@if $(BIN)/python -c "import tui.app" 2>/dev/null && [ -t 1 ]; then \
		$(BIN)/kb tui; \
	else \
		$(BIN)/kb ask "$(QUESTION)"; \
	fi

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench.run_all
