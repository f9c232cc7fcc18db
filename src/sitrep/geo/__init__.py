"""Geographic resolution: an offline GeoNames gazetteer and event-location coding."""

from .countries import acled_country, acled_region, country, iso_numeric
from .gazetteer import Gazetteer
from .imports import import_geonames
from .normalize import fold, normalize

__all__ = [
    "Gazetteer", "acled_country", "acled_region", "country", "fold", "import_geonames",
    "iso_numeric", "normalize",
]
