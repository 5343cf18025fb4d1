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


# Infrastructure: the AWS CDK app in infra/ (cdk.json runs it), through the
# pinned CDK CLI from the npm registry. Synthesis needs no AWS account: the
# variables below turn off the CLI's notices, telemetry and version check and
# the AWS SDK's instance-metadata lookups, so nothing leaves the machine.
CDK         := npx --yes aws-cdk@2.1148.1
CDK_FLAGS   := --no-notices
CFN_LINT    ?= cfn-lint
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := 1
export AWS_EC2_METADATA_DISABLED := true
# jsii (CDK's Go-to-Node bridge) prints a banner on Node releases it no
# longer supports; the machines run Node 20.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
# What "make deploy" deploys: STACKS=Tandem TANDEM_CONFIG=path/to/tandem.json
# for existing clusters (the sample configuration names none that exist), or
# the self-contained demo by default. TANDEM_CONFIG applies to synth too.
STACKS        ?= TandemDemo
TANDEM_CONFIG ?=

.PHONY: help build test lint bench clean rie demo synth synth-check deploy cfn-lint

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

build: ## cross-compile each Lambda to dist/<name>/bootstrap (linux/arm64) and the CLI to dist/tandem
	@set -e; for f in $(FUNCTIONS); do \
		echo "build dist/$$f/bootstrap (linux/arm64)"; \
		$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o dist/$$f/bootstrap ./functions/$$f; \
	done
	@echo "build dist/tandem"
	@CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o dist/tandem ./cmd/tandem

test: bin/aws-lambda-rie ## run every test that CI runs, then synthesize the app and cfn-lint it
	$(GO) test ./...
	$(MAKE) synth-check
	$(MAKE) cfn-lint

rie: bin/aws-lambda-rie ## build the pinned Lambda Runtime Interface Emulator to bin/

bin/aws-lambda-rie: Makefile
	GOBIN=$(CURDIR)/bin CGO_ENABLED=0 $(GO) install $(RIE)

demo: bin/aws-lambda-rie ## play tandem's story locally: moto, the scaler under the Lambda emulator, no AWS account
	$(GO) run ./cmd/tandem demo

lint: ## gofmt check, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

synth: build ## synthesize both CDK stacks into cdk.out (offline, no credentials)
	@test -x dist/scaler/bootstrap || { echo "dist/scaler/bootstrap is missing: functions/scaler must build"; exit 1; }
	rm -rf cdk.out
	$(CDK) synth $(CDK_FLAGS) --quiet $(if $(TANDEM_CONFIG),-c tandemConfig=$(TANDEM_CONFIG))

# The templates do not depend on the Lambda's binary (only its asset hash
# does), so the test synthesizes with a stand-in bootstrap and needs no
# build; "make deploy" synthesizes again from dist/scaler.
synth-check: ## synthesize both stacks into cdk.out with a stand-in Lambda binary
	@stub=$$(mktemp -d) && printf '#!/bin/sh\nexit 1\n' > $$stub/bootstrap && chmod +x $$stub/bootstrap && \
		rm -rf cdk.out && $(CDK) synth $(CDK_FLAGS) --quiet -c tandemCodeDir=$$stub; \
		rc=$$?; rm -rf $$stub; exit $$rc

cfn-lint: ## lint every template in cdk.out (after synth): no error, no warning
	$(CFN_LINT) cdk.out/*.template.json

deploy: build ## deploy STACKS (default TandemDemo) with the CDK CLI; needs AWS credentials and a bootstrapped account
	@test -x dist/scaler/bootstrap || { echo "dist/scaler/bootstrap is missing: functions/scaler must build"; exit 1; }
	$(CDK) deploy $(CDK_FLAGS) $(if $(TANDEM_CONFIG),-c tandemConfig=$(TANDEM_CONFIG)) $(STACKS)

bench: ## run the benchmarks on one core (GOMAXPROCS=1), as the targets are set
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./...

clean: ## remove build output
	rm -rf dist bin cdk.out
