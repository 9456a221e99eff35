# The README's two commands (plus bench). Everything a fresh clone needs is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
# Traditional Chinese pages need a font with its characters; Debian's fonts-noto-cjk installs this file.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -qq -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -qq -e '.[test]'
	touch $(VENV)/.installed $@

# Playwright drives Debian's Chromium; pip cannot install a browser, and `playwright install` cannot download here.
$(CHROMIUM):
	@echo "Installing Chromium from Debian's packages (needed by the browser tests)..."
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null

$(CJK_FONT):
	@echo "Installing the Noto CJK fonts from Debian's packages (for the Chinese pages in the browser tests)..."
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null

run: $(VENV)/.installed
	@echo "Starting Hillside on http://$(HOST):$(PORT)/"
	$(BIN)/hillside --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test $(CHROMIUM) $(CJK_FONT)
	$(BIN)/ruff check app tests bench
	$(BIN)/pytest -q -n 2 --dist loadfile

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

clean:
	rm -rf $(VENV) test-artifacts
