"""gen's load-time checks against the oracle, real `nginx -t` (harness/nginx_oracle.py).

Every mutated config nginx rejects must get a gen error at nginx's line (or where the
missing `;` belongs); every config nginx accepts, no gen error. The agreement figure is
printed per kind (run with `-s` to see it); the test fails below full agreement. The real
configs of ../shared/corpus/nginx that nginx accepts must get no gen error either.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import REPO, unavailable
from harness import nginx_modules as modules
from harness import nginx_oracle as oracle

CORPUS = REPO.parent / "shared" / "corpus" / "nginx"


@pytest.fixture(scope="module")
def nginx() -> str:
    path = shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin:/bin")
    if path is None:
        unavailable("no nginx binary (run scripts/install-test-deps.sh)")
    return path


def test_gen_agrees_with_nginx_on_mutated_configs(nginx: str, gen_binary: Path) -> None:
    cases = oracle.mutations()
    verdicts = oracle.run_oracle(nginx, gen_binary, cases)
    figures = oracle.summary(verdicts)
    total_ok = sum(ok for ok, _ in figures.values())
    total = sum(n for _, n in figures.values())
    rejected = sum(1 for v in verdicts if not v.nginx_ok)
    print(f"\nnginx oracle: {total_ok}/{total} configs agree ({rejected} rejected by nginx)")
    for kind, (ok, n) in sorted(figures.items()):
        print(f"  {kind:10} {ok}/{n}")
    disagreements = [oracle.describe(v) for v in verdicts if not v.agrees]
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements)


def test_corpus_configs_nginx_accepts_get_no_gen_error(nginx: str, gen_binary: Path) -> None:
    if not CORPUS.is_dir():
        unavailable(f"no corpus at {CORPUS}")
    accepted = 0
    problems = []
    with tempfile.TemporaryDirectory(prefix="gen-nginx-corpus-") as tmp_name:
        tmp = Path(tmp_name)
        for i, conf in enumerate(oracle.corpus_configs(CORPUS)):
            d = tmp / f"c{i:03}"
            shutil.copytree(conf.parent, d, symlinks=True)
            (d / "nginx.conf").unlink(missing_ok=True)
            (d / "nginx.conf").write_text(conf.read_text())
            (d / "prefix" / "logs").mkdir(parents=True, exist_ok=True)
            # `load_module modules/...` (the module packages' modules-enabled/ files, which
            # Debian's nginx.conf includes) is relative to the prefix.
            (d / "prefix" / "modules").symlink_to("/usr/lib/nginx/modules")
            (d / "Dockerfile").write_text(oracle.DOCKERFILE.replace("COPY nginx.conf /etc/nginx/nginx.conf", "COPY . /etc/nginx/"))
            ok, _, _ = oracle.nginx_t(nginx, d / "nginx.conf", d / "prefix")
            if not ok:
                continue
            accepted += 1
            found = oracle.gen_check(gen_binary, [d])[d]
            if found:
                problems.append(f"{conf.relative_to(CORPUS)}: " + "; ".join(f"{line}: {m}" for line, m in found))
    print(f"\ncorpus: {accepted} configs nginx accepts, {len(problems)} with a gen error")
    assert accepted > 0
    assert not problems, "\n".join(problems)


def test_gen_agrees_with_nginx_on_packaged_module_configs(nginx: str, gen_binary: Path) -> None:
    """Debian's third-party module packages loaded by `nginx -t` (harness/nginx_modules.py)."""
    for package in modules.PACKAGES:
        if not Path(f"/usr/share/nginx/modules-available/mod-{package.removeprefix('libnginx-mod-')}.conf").exists():
            unavailable(f"{package} is not installed (run scripts/install-test-deps.sh)")
    verdicts = modules.run(nginx, gen_binary)
    figures = oracle.summary(verdicts)
    total_ok = sum(ok for ok, _ in figures.values())
    total = sum(n for _, n in figures.values())
    rejected = sum(1 for v in verdicts if not v.nginx_ok)
    print(f"\nnginx oracle, module packages: {total_ok}/{total} configs agree ({rejected} rejected by nginx)")
    for kind, (ok, n) in sorted(figures.items()):
        print(f"  {kind:10} {ok}/{n}")
    assert verdicts[0].nginx_ok, f"nginx rejects the module base config: {verdicts[0].nginx_message}"
    disagreements = [oracle.describe(v) for v in verdicts if not v.agrees]
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements)
