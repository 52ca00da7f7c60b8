#!/usr/bin/env bash
# Try generated containers without Docker: builds each image the way the integration tests do
# (a throwaway overlay of this machine's root, the Dockerfile replayed by gen's own reader)
# and runs it with the spec's host port published on 127.0.0.1, until Ctrl-C.
#
#   scripts/try-container.sh generated/fastapi-nginx [generated/express-nginx ...]
#   scripts/try-container.sh --check generated/fastapi-nginx     # run the live checks instead
#
# Needs root. Writes nothing outside the repository's .venv and target/.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=try
if [[ "${1:-}" == --check ]]; then
    mode=check
    shift
fi
if (($# == 0)); then
    echo "usage: $0 [--check] generated/NAME [generated/NAME ...]" >&2
    exit 2
fi
if ((EUID != 0)); then
    echo "$0: needs root (mount and network namespaces, overlayfs, chroot)" >&2
    exit 2
fi

./scripts/install-test-deps.sh
cargo build --quiet --locked
PYTHONPATH=tests/integration exec .venv/bin/python -m harness "$mode" "$@"
