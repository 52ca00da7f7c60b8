#!/usr/bin/env bash
# The test command: formatting, lints, and every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
