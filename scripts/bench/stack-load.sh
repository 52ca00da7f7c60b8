#!/usr/bin/env bash
# The generated stack under load: builds the generated containers the way the integration
# tests do, starts each, and runs wrk inside its network namespace against the app, the
# generated nginx and a naive nginx, in turn (scripts/bench/stack_load.py says more).
#
#   scripts/bench/stack-load.sh                                   # generated/fastapi-nginx
#   scripts/bench/stack-load.sh generated/express-nginx --rounds 5 --variants
#   scripts/bench/stack-load.sh generated/fastapi-nginx --reference   # against gunicorn + uvicorn workers
#
# Needs root. Each wrk run is bounded (--duration, default 10 s; --connections, default 32).
# Writes nothing outside the repository's .venv and target/.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ((EUID != 0)); then
    echo "$0: needs root (mount and network namespaces, overlayfs, chroot)" >&2
    exit 2
fi
./scripts/install-test-deps.sh
if ! command -v wrk >/dev/null; then
    echo "stack-load: installing Debian's wrk"
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends wrk >/dev/null
fi
cargo build --release --quiet --locked

dirs=()
while (($#)) && [[ "$1" != -* ]]; do
    dirs+=("$1")
    shift
done
((${#dirs[@]})) || dirs=(generated/fastapi-nginx)
GEN=target/release/gen exec .venv/bin/python scripts/bench/stack_load.py "${dirs[@]}" "$@"
