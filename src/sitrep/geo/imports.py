"""Import GeoNames dump files into a user overlay merged into the gazetteer at load.

Understood files (plain or .zip, recognised by name, else by column count):
  allCountries.txt / XX.txt   19 columns: geonameid, name, asciiname, alternatenames, latitude,
                              longitude, feature class, feature code, country code, cc2,
                              admin1 code, admin2 code, admin3, admin4, population, elevation,
                              dem, timezone, modification date
  alternateNamesV2.txt        alternateNameId, geonameid, isolanguage, alternate name, ...
  admin1CodesASCII.txt        CC.code, name, asciiname, geonameid
  admin2Codes.txt             CC.a1.a2, name, asciiname, geonameid
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

_SKIP_LANGS = {"link", "wkdt", "post", "iata", "icao", "faac", "fr_1793", "unlc", "tcid"}
_KEEP_CLASSES = {"P", "A", "S", "T", "L", "H", "V"}


EXPECTED = ("allCountries.txt or XX.txt (19 tab-separated columns), alternateNamesV2.txt "
            "(alternateNameId, geonameid, language, name, ...), admin1CodesASCII.txt or "
            "admin2Codes.txt (code, name, asciiname, geonameid), plain or zipped, from "
            "https://download.geonames.org/export/dump/")


class GeoNamesFileError(ValueError):
    """A file given to import is missing, unreadable or not a GeoNames dump."""


def _lines(path: Path) -> Iterator[tuple[str, Iterator[str]]]:
    """(member name, lines) for a plain file or each .txt inside a zip."""
    if not path.exists():
        raise GeoNamesFileError(f"{path}: not found")
    if not path.is_file():
        raise GeoNamesFileError(f"{path}: not a file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [info for info in zf.infolist()
                       if not info.is_dir() and info.filename.endswith(".txt")
                       and not info.filename.lower().startswith("readme")]
            if not members:
                raise GeoNamesFileError(f"{path}: a zip file with no GeoNames .txt dump in it;"
                                        f" expected {EXPECTED}")
            for info in members:
                with zf.open(info) as raw:
                    yield f"{path}:{info.filename}", io.TextIOWrapper(raw, encoding="utf-8")
    else:
        try:
            fh = open(path, encoding="utf-8")
        except OSError as e:
            raise GeoNamesFileError(f"{path}: cannot read ({e.strerror or e})") from None
        with fh:
            yield str(path), fh


def _kind(name: str, first: list[str]) -> str:
    low = Path(name.rsplit(":", 1)[-1]).name.lower()
    if low.startswith("admin1codes"):
        return "admin1"
    if low.startswith("admin2codes"):
        return "admin2"
    if low.startswith("alternatenames"):
        return "alt"
    if len(first) >= 15:
        return "places"
    if len(first) >= 4 and first[0].count(".") == 1:
        return "admin1"
    if len(first) >= 4 and first[0].count(".") == 2:
        return "admin2"
    return "alt"


def read_geonames_files(paths: Iterable[str | os.PathLike]) -> dict:
    """Parse dump files into {"places", "altnames", "admin1", "admin2"}.

    places: geonameid -> (name, alternatenames, lat, lon, feature class, feature code, cc,
    admin1 code, admin2 code, population). Only classes P, A, S, T, L, H, V are read; the
    gazetteer keeps P, A and a list of feature codes (bases, airports, mountains, ...).
    """
    out: dict = {"places": {}, "altnames": {}, "admin1": {}, "admin2": {}}
    alt_rows: list[tuple[int, str]] = []
    for p in paths:
        for member, lines in _lines(Path(p)):
            kind = None
            rows = recognised = 0      # rows in the format of the kind detected
            first: list[str] = []
            try:
                for line in lines:
                    if not line.strip() or line.startswith("#"):
                        continue
                    f = line.rstrip("\n").rstrip("\r").split("\t")
                    rows += 1
                    if kind is None:
                        kind, first = _kind(member, f), f
                    recognised += _read_row(kind, f, out, alt_rows)
            except UnicodeDecodeError:
                raise GeoNamesFileError(f"{member}: not UTF-8 text; expected {EXPECTED}"
                                        ) from None
            if not recognised:
                what = (f"its first line has {len(first)} tab-separated column(s)" if rows
                        else "it is empty")
                raise GeoNamesFileError(f"{member}: not a GeoNames dump ({what}); expected "
                                        f"{EXPECTED}")
    _add_altnames(out, alt_rows)
    return out


def _read_row(kind: str, f: list[str], out: dict, alt_rows: list[tuple[int, str]]) -> int:
    """Add one dump row to ``out``. Returns 1 if the row is in the format of ``kind`` (kept,
    or left out for its feature class or language), else 0."""
    if kind == "places":
        if len(f) < 15:
            return 0
        try:
            gid = int(f[0])
            lat, lon = float(f[4]), float(f[5])
            pop = int(f[14] or 0)
        except ValueError:
            return 0
        if f[6] not in _KEEP_CLASSES:
            return 1
        alts = [a for a in f[3].split(",") if a] if f[3] else []
        if f[2] and f[2] != f[1]:
            alts.insert(0, f[2])
        out["places"][gid] = (f[1], tuple(alts), lat, lon, f[6], f[7], f[8], f[10], f[11], pop)
        return 1
    if kind == "admin1":
        if len(f) >= 2 and "." in f[0]:
            c, code = f[0].split(".", 1)
            out["admin1"][(c, code)] = f[2] if len(f) > 2 and f[2] else f[1]
            return 1
        return 0
    if kind == "admin2":
        parts = f[0].split(".")
        if len(f) >= 2 and len(parts) == 3:
            out["admin2"][tuple(parts)] = f[2] if len(f) > 2 and f[2] else f[1]
            return 1
        return 0
    # alternate names
    if len(f) < 4:
        return 0
    try:
        gid = int(f[1])
        int(f[0])
    except ValueError:
        return 0
    if f[2] in _SKIP_LANGS or (len(f) > 7 and f[7] == "1"):     # codes, links; historic
        return 1
    alt_rows.append((gid, f[3]))
    return 1


def _add_altnames(out: dict, alt_rows: list[tuple[int, str]]) -> None:
    places = out["places"]
    for gid, nm in alt_rows:
        if gid in places:
            name, alts, *rest = places[gid]
            if nm not in alts and nm != name:
                places[gid] = (name, alts + (nm,), *rest)
        else:
            out["altnames"].setdefault(gid, []).append(nm)


def import_geonames(paths: Iterable[str | os.PathLike],
                    gazetteer_dir: str | os.PathLike | None = None) -> dict:
    """Merge GeoNames dump files into the user overlay; the next ``Gazetteer.load`` rebuilds.

    Returns counts: {"places", "altnames", "admin1", "admin2", "overlay"} (overlay = path).
    """
    from .gazetteer import cache_dir, overlay_path

    new = read_geonames_files(paths)
    ov = overlay_path(cache_dir(gazetteer_dir))
    ov.parent.mkdir(parents=True, exist_ok=True)
    cur = {"places": {}, "altnames": {}, "admin1": {}, "admin2": {}}
    if ov.exists():
        with open(ov, "rb") as fh:
            cur = pickle.load(fh)
    for k in ("places", "admin1", "admin2"):
        cur[k].update(new[k])
    for gid, names in new["altnames"].items():
        if gid in cur["places"]:
            name, alts, *rest = cur["places"][gid]
            cur["places"][gid] = (name, tuple(dict.fromkeys(alts + tuple(names))), *rest)
        else:
            cur["altnames"][gid] = list(dict.fromkeys(cur["altnames"].get(gid, []) + names))
    tmp = ov.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        pickle.dump(cur, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, ov)
    return {"places": len(new["places"]), "altnames": sum(map(len, new["altnames"].values())),
            "admin1": len(new["admin1"]), "admin2": len(new["admin2"]), "overlay": str(ov)}
