# Lavoro Agile. `make run` opens the app, `make test` runs every test; both install what is
# missing first (scripts/deps.sh).
.PHONY: deps ui run test dist release fmt lint bench licenses

deps:
	@scripts/deps.sh

ui: deps
	cd ui && npx vite build --logLevel warn

run: ui
	cargo run -p lavoro-agile

test: deps
	@scripts/test.sh

# Unsigned .deb and .rpm (the app and the IT command line) through the Tauri CLI from npm,
# never with the e2e feature.
dist: deps
	@scripts/bundle.sh

# Signed packages, latest.json, SHA256SUMS and its minisign signature in target/release/publish.
# Refuses to run without the update signing key (see scripts/release.sh, docs/amministrazione.md).
release:
	@scripts/release.sh

fmt:
	cargo fmt --all

lint: deps
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --features e2e -- -D warnings
	cd ui && npx tsc --noEmit

bench: deps
	cargo bench --workspace
	@for s in bench/*.sh; do if [ -x "$$s" ]; then "$$s" || exit 1; fi; done

# Refresh resources/licenses.json after changing dependencies.
licenses:
	python3 scripts/gen-licenses.py
