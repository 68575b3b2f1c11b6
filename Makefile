# Numberdesk — run `make help` for the targets.
SHELL := /bin/bash
GO    ?= go
PKGS  ?= ./...
BIN   := bin/numberdesk

.DEFAULT_GOAL := help

help: ## Show this help.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

deps: ## Install what the tests need (redis-server, chromium) when missing.
	@scripts/ensure-deps.sh

build: ## Build bin/numberdesk.
	$(GO) build -o $(BIN) ./cmd/numberdesk

run: build ## numberdesk dev: API, worker, scheduler, sandbox carrier and a demo account in one process (NUMBERDESK_ADDR, NUMBERDESK_REDIS_URL).
	bin/numberdesk dev

test: deps ## Run every test with the race detector (what CI runs).
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) test -race -count=1 -timeout 12m $(PKGS)

bench: deps ## Run the benchmarks and print their figures (about 3 minutes).
	$(GO) test -run '^$$' -bench ImportMillion -benchtime 1x -timeout 20m ./cmd/numberdesk/
	$(GO) test -run '^$$' -bench API -benchtime 1000x ./internal/httpapi/
	$(GO) test -run '^$$' -bench Search -benchtime 1000x ./internal/httpapi/
	$(GO) test -run '^$$' -bench Order1000 -benchtime 5x ./internal/httpapi/
	$(GO) test -run '^$$' -bench 'ApplyBatch|AssignSingle' -benchtime 300x ./internal/store/
	$(GO) test -run '^$$' -bench FeeRun -benchtime 3x -timeout 20m ./internal/store/
	$(GO) test -run '^$$' -bench PortSync -benchtime 1x -timeout 20m ./worker/
	$(GO) test -run '^$$' -bench . -benchmem ./internal/phone/ ./csv/

fuzz: ## Fuzz the phone normaliser and the CSV decoder for a while each.
	$(GO) test -run '^$$' -fuzz FuzzNormalize -fuzztime 30s ./internal/phone/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 30s ./csv/

lint: ## gofmt, go vet and staticcheck.
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

.PHONY: help deps build run test bench fuzz lint
