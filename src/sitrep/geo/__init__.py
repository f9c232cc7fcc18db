"""Geographic resolution: an offline GeoNames gazetteer and event-location coding.

The gazetteer and the importer load on first use, so that importing a light part of the stage
(`geo.distance`, from the merge) does not load the gazetteer and its dependencies."""

from importlib import import_module

from .countries import acled_country, acled_region, country, iso_numeric
from .normalize import fold, normalize

_LAZY = {"Gazetteer": "gazetteer", "import_geonames": "imports"}

__all__ = [
    "Gazetteer", "acled_country", "acled_region", "country", "fold", "import_geonames",
    "iso_numeric", "normalize",
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
