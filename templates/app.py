# {{ header }}
"""The FastAPI app of container {{ name }}: answers `GET /` with its message behind nginx."""

import os

import uvicorn
from fastapi import FastAPI

MESSAGE = os.environ.get("APP_MESSAGE", {{ message }})

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": MESSAGE}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(
        "app:app",
        host=os.environ.get("APP_HOST", "{{ app_host }}"),
        port=int(os.environ.get("APP_PORT", "{{ app_port }}")),
        workers=int(os.environ.get("APP_WORKERS", "{{ workers }}")),
        # uvloop and httptools (requirements.txt), named so a missing one fails at start
        # instead of falling back to the slower pure-Python ones.
        loop="uvloop",
        http="httptools",
        # `info` logs each request; `warning` and above only problems.
        log_level=os.environ.get("APP_LOG_LEVEL", "{{ log_level }}"),
        # Trust X-Forwarded-* only from nginx on loopback.
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        # Longer than nginx's upstream keepalive_timeout (60 s): nginx closes idle
        # connections first, so it never sends on one the app has closed.
        timeout_keep_alive=65,
        # Drain in-flight requests on SIGTERM within supervisord's stopwaitsecs.
        timeout_graceful_shutdown={{ graceful_timeout }},
    )
