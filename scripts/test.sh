#!/usr/bin/env bash
# The test command: formatting, lints, and every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the integration tests need (Debian packages, the pinned Python tools in .venv).
./scripts/install-test-deps.sh

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The comparison with crossplane (tests/cli/nginx_parse/crossplane.rs) uses .venv's
# crossplane 0.5.8 (pinned in tests/requirements.txt), unless GEN_CROSSPLANE names one.
cargo test --locked

# The fuzz targets must keep building (scripts/fuzz.sh runs them; without cargo-fuzz's
# instrumentation this is a plain build).
cargo build --locked --quiet --manifest-path fuzz/Cargo.toml

# The integration tests run the gen binary (its Dockerfile reader), then build and run every
# generated container without Docker. Under CI a missing tool or root fails them.
cargo build --locked --quiet
.venv/bin/python -m pytest tests/integration
