"""`sitrep train`: fit the learned head of the event coder on the project's own corpus.

Reads every `data/train/*.jsonl` (see `data/train/DATASHEET.md`), embeds each text with the
bundled encoder, fits the multinomial logistic regression of `extract/model.py` and writes
`data/model/head.npz` (weights, labels and a summary of what it was trained on). The run is
deterministic: same corpus, same weights. Never train on gold rows: they are for measuring.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np

from .extract import model as M
from .models import SUB_TO_TYPE

LABELS = sorted(SUB_TO_TYPE) + [M.NO_EVENT]


def corpus_dir() -> Path:
    return Path(str(resources.files("sitrep") / "data" / "train"))


def load_corpus(folder: Path | None = None) -> list[dict]:
    """The labelled rows; a malformed line or an unknown label is an error naming the line."""
    rows = []
    for path in sorted((folder or corpus_dir()).glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path.name}:{n}: not JSON ({exc.msg})") from None
            if row.get("sub_event_type") not in LABELS:
                raise ValueError(f"{path.name}:{n}: unknown label {row.get('sub_event_type')!r}")
            rows.append(row)
    return rows


def corpus_digest(rows: list[dict]) -> str:
    """Names the corpus a head was fitted on: its texts and labels, in order."""
    key = "\n".join(f"{r['sub_event_type']}\t{r['text']}" for r in rows)
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def train(rows: list[dict], out: Path, *, l2: float = 1e-4, epochs: int = 600,
          lr: float = 4.0) -> dict:
    """Fit the head on rows and save it at out; returns the summary stored with it."""
    texts = [r["text"] for r in rows]
    y = np.array([LABELS.index(r["sub_event_type"]) for r in rows])
    enc = M.encoder()
    if enc is None:
        raise ValueError("the encoder cannot load (see the warning above)")
    x = enc.embed(texts)
    counts = np.bincount(y, minlength=len(LABELS))
    # rarer classes weigh more, but only by the square root: the corpus mix is not the world's
    weight = (len(y) / (len(LABELS) * np.maximum(counts, 1))) ** 0.5
    w, b = M.fit(x, y, len(LABELS), l2=l2, epochs=epochs, lr=lr, class_weight=weight)
    head = M.Head(LABELS, w, b)
    acc = float((head.proba(x).argmax(1) == y).mean())
    digest = corpus_digest(rows)
    meta = {"rows": len(rows), "corpus_sha1": digest, "train_accuracy": round(acc, 4),
            "l2": l2, "epochs": epochs, "lr": lr,
            "per_label": {LABELS[i]: int(c) for i, c in enumerate(counts)},
            "countries": len({r.get("country", "") for r in rows})}
    head.save(out, meta)
    return meta


def main(out: Path | None = None) -> dict:
    rows = load_corpus()
    if not rows:
        raise ValueError(f"no training rows in {corpus_dir()}")
    have = Counter(r["sub_event_type"] for r in rows)
    missing = [lab for lab in LABELS if not have[lab]]
    if missing:
        raise ValueError(f"labels without examples: {missing}")
    return train(rows, out or M.head_path())
