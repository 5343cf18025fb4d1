# tandem's front door. `make help` lists the targets.

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Lambda functions: every folder under functions/ is one, built to
# dist/<name>/bootstrap for the provided.al2023 runtime on arm64.
FUNCTIONS   := $(notdir $(wildcard functions/*))
LAMBDA_ENV  := CGO_ENABLED=0 GOOS=linux GOARCH=arm64
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"

# The AWS Lambda Runtime Interface Emulator, pinned: the integration tests run
# each Lambda's bootstrap under it (internal/sandbox). The module proxy serves
# only pseudo-versions of it.
RIE         := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d

.PHONY: help build test lint bench clean rie

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

build: ## cross-compile each Lambda to dist/<name>/bootstrap (linux/arm64) and the CLI to dist/tandem
	@set -e; for f in $(FUNCTIONS); do \
		echo "build dist/$$f/bootstrap (linux/arm64)"; \
		$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o dist/$$f/bootstrap ./functions/$$f; \
	done
	@echo "build dist/tandem"
	@CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o dist/tandem ./cmd/tandem

test: bin/aws-lambda-rie ## run every test that CI runs
	$(GO) test ./...

rie: bin/aws-lambda-rie ## build the pinned Lambda Runtime Interface Emulator to bin/

bin/aws-lambda-rie: Makefile
	GOBIN=$(CURDIR)/bin CGO_ENABLED=0 $(GO) install $(RIE)

lint: ## gofmt check, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench: ## run the benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean: ## remove build output
	rm -rf dist bin
