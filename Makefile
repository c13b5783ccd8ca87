# Two commands do everything: `make chat` and `make test`.
# Each creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat test lint install clean

chat: $(STAMP)
	$(BIN)/assistant chat

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check assistant tests benchmarks examples
	$(BIN)/ruff format --check assistant tests benchmarks examples
	$(BIN)/mypy assistant

install: $(STAMP)

# torch first, pinned, so pip takes the CPU build rather than a CUDA one;
# openai-whisper without its triton requirement (see pyproject.toml).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps openai-whisper==20250625
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
