"""Building the images of several container directories at once, for the checks to use."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .distro import BuildError
from .dockerfile import DockerfileError
from .image import Builder
from .rootfs import RootfsError
from .scenario import Subject
from .spec import ContainerDir
from .workspace import Workspace


def build_all(ws: Workspace, gen: Path, cdirs: list[ContainerDir]) -> list[Subject]:
    """One subject per directory, with its image or the reason the build failed."""
    builder = Builder(ws, gen)

    def build(cdir: ContainerDir) -> Subject:
        subject = Subject(cdir)
        try:
            subject.image = builder.build(cdir.context or cdir.path, cdir.name, cdir.path / "Dockerfile")
        except (BuildError, DockerfileError, RootfsError, OSError) as exc:
            subject.error = f"{type(exc).__name__}: {exc}"
        return subject

    # Two at a time: this machine has two cores, and a build is mostly pip and npm.
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(build, cdirs))
