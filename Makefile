# pyrace's developer entry points. `make test` is the whole suite, as CI runs it.

GO       ?= go
BIN      ?= bin/pyrace
FUZZTIME ?= 10s
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -X github.com/pyrace/pyrace/internal/cli.version=$(VERSION)
# Pyodide: CPython 3.14 compiled to WebAssembly, from the npm registry; the
# differential tests use it as their CPython 3.14.
PYODIDE_VERSION ?= 314.0.7
PYODIDE_PREFIX  ?= $(HOME)/.cache/pyrace/pyodide

.PHONY: build test fmt-check vet unit differential pyodide fuzz bench demo clean

## build: compile bin/pyrace with the version from git
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/pyrace

## test: the whole suite: gofmt check, go vet, go test -race, differential tests
test: fmt-check vet unit differential

fmt-check:
	@files="$$(gofmt -l .)"; \
	if [ -n "$$files" ]; then \
		echo "gofmt: these files are not formatted (run gofmt -w):"; echo "$$files"; exit 1; \
	fi; echo "gofmt: ok"

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race ./...

## differential: compare the parser with every CPython >= 3.8 on the machine
## (and Pyodide's 3.14 when installed) over their standard libraries; no -race,
## which would make it many times slower
differential:
	$(GO) test -count=1 -run '^TestDifferential' ./internal/python/

## pyodide: install Pyodide's CPython 3.14 for the differential tests
pyodide:
	@if grep -qs '"version": "$(PYODIDE_VERSION)"' $(PYODIDE_PREFIX)/node_modules/pyodide/package.json; then \
		echo "pyodide $(PYODIDE_VERSION): already in $(PYODIDE_PREFIX)"; \
	else \
		mkdir -p $(PYODIDE_PREFIX) && \
		npm install --prefix $(PYODIDE_PREFIX) --no-audit --no-fund --loglevel=error pyodide@$(PYODIDE_VERSION); \
	fi

## fuzz: run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=1m)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		list="$$($(GO) test -list '^Fuzz' $$pkg)"; \
		for target in $$(echo "$$list" | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## bench: parse speed against CPython's ast.parse (and ruff if installed),
## pyrace run's overhead per iteration, races per CPU-minute with --threads,
## and pyrace tsan against grep over a large log
bench:
	bash bench/parse.sh
	bash bench/scan.sh
	bash bench/run-overhead.sh
	bash bench/threads.sh
	bash bench/tsan.sh

## demo: the quick start: run the racy example's test suite ten times
demo:
	$(GO) run ./cmd/pyrace run -C examples/counters

clean:
	rm -rf bin/ pyrace-results/
