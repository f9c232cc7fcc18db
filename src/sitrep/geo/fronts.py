"""Fronts (fronts.tsv): the places along a front's line of control, for the time it stood,
each with the side that held it.

Monitors report fire "near" frontline villages that GeoNames cities500 lacks or shares with
namesakes across the country. `gazetteer_layer` adds the listed places to the gazetteer, and
place resolution prefers a namesake on the front (`Front.distance`) for an event that is fire
on it (`resolve.front_of`). The side each place was held by is recorded but not used to
name actors: coding unnamed fire to the side facing the holder was a wash on held-out
ACLED notes (see the issue 14 note)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from .distance import haversine_km

_FILE = Path(__file__).with_name("fronts.tsv")
NEAR_KM = 12.0     # a point this close to a listed place is on the front


@dataclass(frozen=True)
class FrontPlace:
    name: str
    alts: tuple[str, ...]
    lat: float
    lon: float
    admin1: str
    held_by: str


@dataclass(frozen=True)
class Front:
    id: str
    country: str          # ISO2: a front lies in one country (its places are put there)
    start: str            # ISO days, inclusive
    end: str
    sides: tuple[str, str]    # countries.yaml front_sides keys
    places: tuple[FrontPlace, ...]

    def covers(self, country: str | None, day: str | None) -> bool:
        return bool(country and day) and country.upper() == self.country and \
            self.start <= day[:10] <= self.end

    def __post_init__(self):
        la = np.array([p.lat for p in self.places])
        lo = np.array([p.lon for p in self.places])
        object.__setattr__(self, "_lat", la)
        object.__setattr__(self, "_lon", lo)
        # the listed places' box, widened by 111 km or more: a point outside it is far
        wide = 1 / max(0.1, float(np.cos(np.radians(np.abs(la).max() + 1))))
        object.__setattr__(self, "_box", (la.min() - 1, la.max() + 1, lo.min() - wide,
                                          lo.max() + wide))

    def distance(self, lat: float, lon: float) -> float:
        """km from (lat, lon) to the nearest listed place; 100 (it is more) for a point
        outside the listed places' widened box, without measuring."""
        s, n, w, e = self._box
        if not (s <= lat <= n and w <= lon <= e):
            return 100.0
        # equirectangular distance picks the nearest; haversine gives its km
        k = int(np.argmin((self._lat - lat) ** 2 +
                          ((self._lon - lon) * np.cos(np.radians(lat))) ** 2))
        return haversine_km(lat, lon, self.places[k].lat, self.places[k].lon)


class FrontsFileError(ValueError):
    pass


def read_fronts(path: str | Path = _FILE) -> tuple[Front, ...]:
    out: list[Front] = []
    head: list[str] | None = None
    places: list[FrontPlace] = []

    def close():
        if head is not None:
            _, fid, cc, start, end, a, b = head
            if not places:
                raise FrontsFileError(f"{path}: front {fid} lists no places")
            out.append(Front(fid, cc.upper(), start, end, (a, b), tuple(places)))

    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            f = line.split("\t")
            if f[0] == "@front":
                if len(f) != 7:
                    raise FrontsFileError(f"{path}:{n}: @front needs id, country, from, to "
                                          "and two sides")
                try:
                    start, end = date.fromisoformat(f[3]), date.fromisoformat(f[4])
                except ValueError:
                    raise FrontsFileError(f"{path}:{n}: from and to must be YYYY-MM-DD days, "
                                          f"not {f[3]!r} and {f[4]!r}") from None
                if start > end:
                    raise FrontsFileError(f"{path}:{n}: the front ends before it starts")
                close()
                head, places = f, []
                continue
            if head is None or len(f) != 6:
                raise FrontsFileError(f"{path}:{n}: expected held_by, name, alternates, lat, "
                                      "lon, admin1 after an @front line")
            side, name, alts, lat, lon, a1 = f
            if side not in head[5:7]:
                raise FrontsFileError(f"{path}:{n}: {side!r} is not a side of {head[1]}")
            try:
                la, lo = float(lat), float(lon)
            except ValueError:
                la = lo = float("nan")
            if not (-90 <= la <= 90 and -180 <= lo <= 180):
                raise FrontsFileError(f"{path}:{n}: {lat!r}, {lon!r} is not a latitude and "
                                      "longitude")
            places.append(FrontPlace(name, tuple(a for a in alts.split(",") if a),
                                     la, lo, a1, side))
    close()
    return tuple(out)


@lru_cache(maxsize=1)
def fronts() -> tuple[Front, ...]:
    return read_fronts()


def front_for(country: str | None, day: str | None) -> Front | None:
    """The front that stood in `country` on `day` (ISO), if any."""
    return next((f for f in fronts() if f.covers(country, day)), None)


def place_id(front: Front, p: FrontPlace) -> int:
    """A stable negative geonameid for a listed place GeoNames' cities500 lacks."""
    return -(1_000_000 + zlib.crc32(f"{front.id}:{p.name}:{p.lat}:{p.lon}".encode()) % 10**8)


def gazetteer_layer() -> dict:
    """The listed places as a gazetteer layer (read_geonames_files' "places" shape)."""
    places = {}
    for fr in fronts():
        for p in fr.places:
            places[place_id(fr, p)] = [p.name, list(p.alts), p.lat, p.lon, "P", "PPL",
                                       fr.country, p.admin1, "", 0]
    return {"places": places}
