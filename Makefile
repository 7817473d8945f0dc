# rc-active-calls: `make demo` and `make test` are the whole set-up; each installs what is missing first.
SHELL := /bin/bash
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

SANDBOX_ADDR ?= 127.0.0.1:8790
WIDGET_PORT  ?= 8080
CRM_PORT     ?= 8081
DEMO_URL     := http://127.0.0.1:$(WIDGET_PORT)/?clientId=demo-client&server=http://$(SANDBOX_ADDR)

.PHONY: setup demo test test-native test-wasm test-e2e lint size build floor sandbox clean fuzz package yew-host screenshots

setup:
	@scripts/setup.sh

# The release build that the e2e tests and bench/size use; `trunk serve` (make demo) keeps dist/ to itself.
RELEASE_DIST := target/release-dist

# The release's standard library is compiled for size with the immediate-abort panic strategy: 13.8 KB less gzip
# (bench/size); its `optimize_for_size` feature picks std's smaller routines (sorting above all): 1.5 KB less, with
# bench/render's figures unchanged. `-Zfmt-debug=none -Zlocation-detail=none` drop Debug formatting and panic locations, which nothing
# shown to a user comes from (only tests format with `{:?}`): 1.8 KB less gzip. RUSTC_BOOTSTRAP=1 lets the stable
# toolchain take these unstable flags; they may change between Rust releases, so `make build STD=plain` builds as
# stable alone does (and lint's clippy compiles that way).
ifeq ($(STD),plain)
RELEASE_ENV :=
else
RELEASE_ENV := RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
	CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
	RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none"
endif

build: setup
	$(RELEASE_ENV) trunk build --release --dist $(RELEASE_DIST)

# bench/floor: the least the named stack ships (bench/floor-app), built as the release is.
floor: setup
	cd bench/floor-app && $(RELEASE_ENV) CARGO_TARGET_DIR=$(CURDIR)/target/floor \
		trunk build --release --dist $(CURDIR)/target/floor-dist

sandbox:
	cargo build -p rc-sandbox

# Starts rc-sandbox, `trunk serve` and the demo CRM page (examples/crm); Ctrl-C stops them all.
demo: setup sandbox
	@scripts/demo.sh "$(SANDBOX_ADDR)" "$(WIDGET_PORT)" "$(DEMO_URL)" "$(CRM_PORT)"

test: setup lint test-native test-wasm test-e2e
	@echo "make test: every suite passed"

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --bins --tests --benches --features talc -- -D warnings
	cargo clippy --target wasm32-unknown-unknown -p yew-host -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --target wasm32-unknown-unknown -p rc-active-calls

test-native:
	cargo test --workspace

# wasm-bindgen-test in headless Chromium (Debian's chromium + chromedriver).
test-wasm:
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	CHROMEDRIVER=/usr/bin/chromedriver \
	cargo test --target wasm32-unknown-unknown --test '*'

# Playwright (playwright-core + Debian's Chromium) against the release build and rc-sandbox.
test-e2e: package yew-host sandbox
	cd e2e && node --test --test-concurrency=1 tests/

# Writes the screenshot tests' reference images (e2e/screenshots/) from the release build: after a deliberate change
# of the look; review the new images like code before committing them.
screenshots: build sandbox
	cd e2e && UPDATE_SCREENSHOTS=1 node --test --test-concurrency=1 tests/screenshots.test.js

# Ten million inputs through every parser of outside input (fuzz/); `make test` runs a short pass of each.
# FUZZ_ARGS: e.g. `--inputs 1000000 --seed 7 records`.
FUZZ_ARGS ?= --inputs 10000000
fuzz:
	cargo run --release -p rc-fuzz -- $(FUZZ_ARGS)

# The example Yew app using the widget as a component (examples/yew-host), for the e2e tests.
yew-host: setup
	cd examples/yew-host && trunk build --dist ../../target/yew-host-dist

# The npm package and the versioned CDN bundle from the release build, into target/package/ (scripts/package.mjs).
package: build
	node scripts/package.mjs

size: setup
	bench/size

clean:
	cargo clean
	rm -rf dist e2e/artifacts
