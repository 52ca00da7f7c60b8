#!/usr/bin/env bash
# The test command: formatting, lints, and every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The comparison with crossplane (tests/cli/nginx_parse/crossplane.rs) needs PyPI crossplane
# 0.5.8 in .venv, unless GEN_CROSSPLANE names one; it fails on CI without it.
if [ -z "${GEN_CROSSPLANE:-}" ] \
  && [ "$(.venv/bin/crossplane --version 2>/dev/null)" != "crossplane 0.5.8" ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet crossplane==0.5.8
fi
cargo test --locked
