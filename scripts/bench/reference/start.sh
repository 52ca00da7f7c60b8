#!/bin/sh
# gunicorn with (2 x cores) + 1 uvicorn workers (WEB_CONCURRENCY overrides), as gunicorn's
# documentation advises and the FastAPI-behind-gunicorn images do.
set -eu
cores=$(nproc)
exec /opt/venv/bin/gunicorn app:app \
    --worker-class uvicorn_worker.UvicornWorker \
    --workers "${WEB_CONCURRENCY:-$((2 * cores + 1))}" \
    --bind 0.0.0.0:8000 \
    --keep-alive 65 \
    --graceful-timeout 5 \
    --access-logfile -
