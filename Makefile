# The README's two commands (plus bench). Everything a fresh clone needs is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
# Traditional Chinese pages need a font with its characters; Debian's fonts-noto-cjk installs this file.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# Runs and lecture rooms shared between server processes are tested against a real Redis (Debian's package).
REDIS_SERVER := /usr/bin/redis-server

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

# Only the binary is needed: each test starts its own server on a free port, so stop the one Debian starts.
$(REDIS_SERVER):
	@echo "Installing redis-server from Debian's packages (for the multi-process tests)..."
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
	-service redis-server stop >/dev/null 2>&1

run: $(VENV)/.installed
	@echo "Starting Hillside on http://$(HOST):$(PORT)/"
	$(BIN)/hillside --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test $(CHROMIUM) $(CJK_FONT) $(REDIS_SERVER)
	$(BIN)/ruff check app tests bench
	$(BIN)/pytest -q -n 2 --dist loadfile

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

clean:
	rm -rf $(VENV) test-artifacts
