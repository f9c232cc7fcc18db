"""The dashboard's static files (``static/``): the app's own ES modules and the front-end
libraries vendored from npm by ``web/build.sh`` (see ``static/vendor/VERSIONS.json``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def static_dir() -> Path:
    return Path(str(resources.files("sitrep") / "web" / "static"))
