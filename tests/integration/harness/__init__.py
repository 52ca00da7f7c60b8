"""Runs gen's generated containers without a Docker engine.

The harness replays each generated Dockerfile into a root filesystem (an overlay whose lower
layer is this machine's `/`, on a tmpfs in a private mount namespace), then starts the
Dockerfile's CMD in fresh pid/net/mount/uts/ipc namespaces with the spec's host port
forwarded into it, the way `docker build` and `docker run -p` would.

Modules: `spec` (which containers, what the spec says), `dockerfile` (gen's Dockerfile reader
and the reference parser), `distro` (stand-ins for the base images' packages), `image` (the
build), `container` (the run), `scenario` (the live checks), `static` (the validators),
`network` and `project` (a compose project with a load balancer: its networks, its start
order).
"""
