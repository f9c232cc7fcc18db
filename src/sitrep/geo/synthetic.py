"""Made-up GeoNames dump files, for the import's tests and ``sitrep bench gazetteer``.

Rows follow the allCountries / alternateNamesV2 / admin1CodesASCII / admin2Codes columns and
roughly the real dump's mix: about 40% populated places, 5% admin units, the rest streams,
hills, buildings and other features, a third of the rows with alternate names (some in other
scripts), ids above the real dump's so they never replace a real place.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

FIRST_ID = 50_000_000
COUNTRIES = ("SY", "IQ", "YE", "AF", "NG", "ML", "SO", "CD", "SD", "UA", "MM", "IN", "PK",
             "LY", "BF", "CM", "ET", "MX", "CO", "PH")
# (feature class, feature code, share)
MIX = (("P", "PPL", 0.36), ("P", "PPLX", 0.04), ("A", "ADM1", 0.001), ("A", "ADM2", 0.01),
       ("A", "ADM3", 0.03), ("A", "ADM4", 0.009), ("H", "STM", 0.12), ("H", "WAD", 0.02),
       ("H", "SPNG", 0.05), ("T", "HLL", 0.08), ("T", "MT", 0.04), ("T", "VAL", 0.01),
       ("S", "SCH", 0.06), ("S", "MSQE", 0.04), ("S", "MILB", 0.005), ("S", "AIRP", 0.002),
       ("S", "CMPRF", 0.003), ("L", "AREA", 0.04), ("L", "LCTY", 0.03), ("V", "FRST", 0.01),
       ("R", "RD", 0.005))
_SYL = ("ba", "da", "ka", "la", "ma", "na", "ra", "sa", "ta", "za", "qa", "ha", "bi", "di",
        "ki", "li", "mi", "ni", "ri", "si", "ti", "zi", "bu", "du", "ku", "lu", "mu", "nu",
        "ru", "su", "tu", "zu", "kh", "sh", "gh", "el", "al", "ar", "ou", "ay", "yr", "wa")
_PREFIX = ("", "", "", "", "Al ", "Tell ", "Kafr ", "Deir ", "Bir ", "Wadi ", "Jabal ", "Ain ",
           "Qaryat ", "Beit ", "Umm ", "Abu ")


def _name(rng: random.Random) -> str:
    core = "".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4)))
    return rng.choice(_PREFIX) + core.capitalize()


def _alts(rng: random.Random, name: str) -> list[str]:
    out = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6))):
        r = rng.random()
        if r < 0.3:
            out.append(name.replace("ou", "u").replace("a", "e", 1))
        elif r < 0.5:
            out.append("Al-" + name.split()[-1])
        elif r < 0.7:
            out.append("قرية " + str(rng.randint(1, 999)))
        else:
            out.append(_name(rng))
    return out


def write_dump(folder: str | Path, rows: int, seed: int = 1, alt_rows: int | None = None,
               zipped: bool = True) -> dict[str, Path]:
    """Write allCountries (``rows`` rows), alternateNamesV2 (``alt_rows``, default rows/4),
    admin1CodesASCII and admin2Codes into ``folder``. Returns their paths by kind."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    codes = [(c, f) for c, f, _ in MIX]
    weights = [w for _, _, w in MIX]
    alt_rows = rows // 4 if alt_rows is None else alt_rows
    places = folder / "allCountries.txt"
    with open(places, "w", encoding="utf-8") as fh:
        batch = []
        for n in range(rows):
            gid = FIRST_ID + n
            fcls, fcode = rng.choices(codes, weights)[0]
            cc = rng.choice(COUNTRIES)
            name = _name(rng)
            alts = ",".join(_alts(rng, name)) if rng.random() < 0.33 else ""
            lat = rng.uniform(-35, 55)
            lon = rng.uniform(-20, 100)
            a1 = f"{rng.randint(1, 15):02d}"
            a2 = str(rng.randint(1, 40))
            pop = rng.choice((0, 0, 0, 0, 120, 800, 2500, 14000)) if fcls == "P" else 0
            batch.append(f"{gid}\t{name}\t{name}\t{alts}\t{lat:.5f}\t{lon:.5f}\t{fcls}\t{fcode}"
                         f"\t{cc}\t\t{a1}\t{a2}\t\t\t{pop}\t\t{rng.randint(0, 2500)}\t"
                         f"Asia/Damascus\t2024-01-01\n")
            if len(batch) >= 10000:
                fh.writelines(batch)
                batch.clear()
        fh.writelines(batch)
    alt = folder / "alternateNamesV2.txt"
    with open(alt, "w", encoding="utf-8") as fh:
        batch = []
        for n in range(alt_rows):
            gid = FIRST_ID + rng.randrange(rows)
            lang = rng.choice(("en", "ar", "fr", "", "", "link", "wkdt"))
            nm = _name(rng) if lang != "link" else f"https://example.org/{gid}"
            hist = "1" if rng.random() < 0.03 else ""
            batch.append(f"{n + 1}\t{gid}\t{lang}\t{nm}\t\t\t\t{hist}\t\t\n")
            if len(batch) >= 10000:
                fh.writelines(batch)
                batch.clear()
        fh.writelines(batch)
    a1f = folder / "admin1CodesASCII.txt"
    a2f = folder / "admin2Codes.txt"
    with open(a1f, "w", encoding="utf-8") as f1, open(a2f, "w", encoding="utf-8") as f2:
        for cc in COUNTRIES:
            for a in range(1, 16):
                nm = _name(rng)
                f1.write(f"{cc}.{a:02d}\t{nm}\t{nm}\t{FIRST_ID - a}\n")
                for b in range(1, 41):
                    nm2 = _name(rng)
                    f2.write(f"{cc}.{a:02d}.{b}\t{nm2}\t{nm2}\t{FIRST_ID - 1000 - b}\n")
    out = {"places": places, "alt": alt, "admin1": a1f, "admin2": a2f}
    if zipped:
        for kind in ("places", "alt"):
            p = out[kind]
            z = p.with_suffix(".zip")
            with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                zf.write(p, p.name)
            p.unlink()
            out[kind] = z
    return out
