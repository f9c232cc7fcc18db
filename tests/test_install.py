"""The install a user gets is the one CI tests: every dependency pinned, the pins installed, and
a broken HTML extractor said out loud instead of silently losing dates."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[_norm(name)] = version
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return [Requirement(r) for r in reqs]


def test_every_dependency_and_extra_is_pinned():
    pins = _pins()
    missing = [r.name for r in _requirements() if _norm(r.name) not in pins]
    assert not missing, f"not pinned in constraints.txt: {missing}"
    for r in _requirements():
        assert r.specifier.contains(pins[_norm(r.name)], prereleases=True), (
            f"constraints.txt pins {r.name}=={pins[_norm(r.name)]}, outside {r}")


def test_installed_versions_are_the_pinned_ones():
    pins = _pins()
    wrong = {}
    for r in _requirements():
        try:
            have = metadata.version(r.name)
        except metadata.PackageNotFoundError:
            continue   # an extra this environment does not have
        if have != pins[_norm(r.name)]:
            wrong[r.name] = (have, pins[_norm(r.name)])
    assert not wrong, f"installed != pinned (installed, pinned): {wrong}"


def test_readme_and_ci_install_with_the_constraints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert "pip install -c constraints.txt" in blocks[0]
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert re.search(r"pip install .*-c constraints\.txt", ci)


def test_html_extractor_imports():
    from sitrep.ingest.html import trafilatura_module

    assert trafilatura_module() is not None, "trafilatura fails to import: HTML loses its dates"


_BROKEN = """
import sys
sys.modules["trafilatura"] = None          # as when lxml.html.clean is missing
sys.argv = ["sitrep", "extract", sys.argv[1], "--db", sys.argv[2]]
from sitrep.cli import main
main()
"""


def test_fallback_parser_is_announced(tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Clashes in Kunduz</title></head><body><article><p>"
                    "Taliban fighters attacked an army checkpoint in Kunduz on Monday, killing "
                    "two soldiers, officials said.</p></article></body></html>", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", _BROKEN, str(page), str(tmp_path / "t.db")],
                         capture_output=True, text=True, timeout=300)
    assert "Traceback" not in out.stderr
    warnings = [ln for ln in out.stderr.splitlines() if "trafilatura cannot be imported" in ln]
    assert len(warnings) == 1, out.stderr
    assert warnings[0].startswith("warning: ")


def test_cli_start_does_not_load_the_gazetteer_or_the_model():
    # `sitrep --help` and short commands stay quick: the heavy stages load on first use
    code = ("import sys, sitrep.cli; heavy = [m for m in ('numpy', 'onnxruntime', "
            "'sitrep.geo.gazetteer', 'sitrep.extract.model') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
