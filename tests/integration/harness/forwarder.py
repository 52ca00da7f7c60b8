"""A TCP forwarder in the manner of docker-proxy, for one published port.

Run as its own process: it binds the published port on the host's loopback, then moves itself
into a network namespace of its own (the "docker0 side"), which the harness joins to the
container's namespace with a veth pair. Every accepted connection is relayed to the container
address from there, so the container sees the gateway address as the client, as behind
docker-proxy; each direction is half-closed on its own when its sender finishes.

Usage: forwarder.py LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT [LISTEN_PORT TARGET_PORT]...
(several pairs: one container publishing several ports, from one gateway namespace).
Prints `ready` once listening on every port. Standalone on purpose: it imports nothing from the harness.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000
CONNECT_TIMEOUT = 5.0


def _relay(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve(client: socket.socket, target: tuple[str, int]) -> None:
    with client:
        try:
            upstream = socket.create_connection(target, timeout=CONNECT_TIMEOUT)
        except OSError:
            return  # the container is not listening: close, as docker-proxy does
        with upstream:
            upstream.settimeout(None)
            back = threading.Thread(target=_relay, args=(upstream, client), daemon=True)
            back.start()
            _relay(client, upstream)
            back.join()


def _accept(server: socket.socket, target: tuple[str, int]) -> None:
    while True:
        client, _ = server.accept()
        threading.Thread(target=_serve, args=(client, target), daemon=True).start()


def main(argv: list[str]) -> int:
    listen_host, listen_port, target_host, target_port, *more = argv
    pairs = [(int(listen_port), int(target_port))]
    pairs += [(int(more[i]), int(more[i + 1])) for i in range(0, len(more) - 1, 2)]
    servers = [(socket.create_server((listen_host, lp), backlog=128), (target_host, tp)) for lp, tp in pairs]
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        print(f"forwarder: unshare(CLONE_NEWNET): {os.strerror(err)}", file=sys.stderr, flush=True)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print("ready", flush=True)
    for server, target in servers[1:]:
        threading.Thread(target=_accept, args=(server, target), daemon=True).start()
    _accept(*servers[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
