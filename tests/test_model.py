"""The learned head of the event coder: its corpus, its training, and where it decides."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sitrep.extract import model
from sitrep.extract.events import extract_events
from sitrep.extract.rules import load_codebook
from sitrep.extract.score import MODEL_ONLY_MIN, decide
from sitrep.models import Document
from sitrep.train import LABELS, corpus_digest, load_corpus, train

CORPUS = load_corpus()


def _doc(text: str) -> Document:
    return Document(id="t", text=text, body=text, published=date(2024, 5, 6))


# ---------------------------------------------------------------------------- corpus

def test_corpus_size_labels_and_countries():
    assert len(CORPUS) >= 6000
    per = Counter(r["sub_event_type"] for r in CORPUS)
    assert set(per) == set(LABELS)
    assert min(per.values()) >= 50, per.most_common()[-3:]
    assert len({r["country"] for r in CORPUS}) >= 60
    assert {r["style"] for r in CORPUS} == {"wire", "local", "monitor", "digest", "headline",
                                            "snippet"}


def test_corpus_rows_are_well_formed():
    assert len({r["id"] for r in CORPUS}) == len(CORPUS)
    assert len({r["text"] for r in CORPUS}) == len(CORPUS)
    for r in CORPUS:
        for k in ("actor1", "actor2"):
            assert r[k] == "" or r[k] in r["text"], (r["id"], k)
        want = "none" if r["sub_event_type"] == model.NO_EVENT else None
        assert r["event_type"] == (want or r["event_type"])


def test_corpus_errors_name_the_line(tmp_path: Path):
    (tmp_path / "a.jsonl").write_text('{"text": "x", "sub_event_type": "Armed clash"}\n'
                                      '{"text": "y", "sub_event_type": "Skirmish"}\n')
    with pytest.raises(ValueError, match=r"a\.jsonl:2: unknown label 'Skirmish'"):
        load_corpus(tmp_path)
    (tmp_path / "a.jsonl").write_text("{not json\n")
    with pytest.raises(ValueError, match=r"a\.jsonl:1: not JSON"):
        load_corpus(tmp_path)


# ---------------------------------------------------------------------------- the head

def test_shipped_head_is_trained_on_the_shipped_corpus():
    h = model.head()
    assert h is not None and h.labels == LABELS
    assert h.meta["corpus_sha1"] == corpus_digest(CORPUS), "corpus edited: run `sitrep train`"
    assert h.meta["rows"] == len(CORPUS)


def test_training_is_deterministic(tmp_path: Path):
    rows = [r for lab in LABELS for r in [x for x in CORPUS if x["sub_event_type"] == lab][:3]]
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    train(rows, a, epochs=50)
    train(rows, b, epochs=50)
    ha, hb = model.Head.load(a), model.Head.load(b)
    assert np.array_equal(ha.w, hb.w) and np.array_equal(ha.b, hb.b)
    assert ha.meta["rows"] == len(rows) == 3 * len(LABELS)


def test_encoder_puts_paraphrases_together():
    v = model.encoder().embed(["Gunmen shot dead three villagers in Zamfara.",
                               "Armed men killed three civilians in a village.",
                               "The central bank cut interest rates by half a point."])
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    assert v[0] @ v[1] > 0.5 > v[0] @ v[2] + 0.3


# ---------------------------------------------------------------------------- the decision

def _rule(rid):
    return next(r for r in load_codebook().rules if r.id == rid)


def test_rules_decide_what_they_can_type():
    asked = []
    fired = [_rule("battle.clash"), _rule("civilians.attack")]
    d = decide(fired, lambda: asked.append(1) or {"Attack": 0.9, "Armed clash": 0.05,
                                                 model.NO_EVENT: 0.05})
    assert d.sub_event_type == "Armed clash" and d.rule.id == "battle.clash"
    assert d.why.startswith("rules: battle.clash") and "civilians.attack" in d.why
    assert d.fired == ("battle.clash", "civilians.attack")
    assert not asked    # the head is not asked when its share cannot change the outcome


def test_head_share_reorders_only_close_rule_votes(monkeypatch):
    from sitrep.extract import score
    monkeypatch.setattr(score, "MODEL_WEIGHT", 5.0)
    fired = [_rule("battle.clash"), _rule("civilians.unarmed_victim")]   # 55 against 53
    p = {"Attack": 0.9, "Armed clash": 0.05, model.NO_EVENT: 0.05}
    assert decide(fired, lambda: p).sub_event_type == "Attack"
    far = [_rule("remote.air"), _rule("civilians.attack")]   # 75 against 49
    assert decide(far, lambda: p).sub_event_type == "Air/drone strike"


def test_hierarchy_breaks_ties():
    fired = [_rule("territory.without_fight"), _rule("territory.state_retakes")]   # both 74
    assert decide(fired, lambda: None).sub_event_type == "Government regains territory"


def test_head_types_only_when_confident_and_not_no_event():
    assert decide([], lambda: None) is None
    low = MODEL_ONLY_MIN / 2
    assert decide([], lambda: {"Attack": low, model.NO_EVENT: 1 - low}) is None
    assert decide([], lambda: {"Attack": 0.3, "Grenade": 0.2, model.NO_EVENT: 0.5}) is None
    d = decide([], lambda: {"Attack": 0.5, "Grenade": 0.2, model.NO_EVENT: 0.3})
    assert (d.event_type, d.sub_event_type) == ("Violence against civilians", "Attack")
    assert d.why == "model (p=0.50)"


@pytest.mark.parametrize("text, sub", [
    # no cue word the rules know: the head types them
    ("Gunmen snatched a priest and two seminarians from a parish house in Kaduna on Friday "
     "night.", "Abduction/forced disappearance"),
    ("Bandits carted away cattle and grain from three villages in Zamfara on Tuesday.",
     "Looting/property destruction"),
    # the month of May is not the modal "may"
    ("On 3 May 2024, bandits carted away cattle and grain from three villages in Zamfara.",
     "Looting/property destruction"),
])
def test_uncued_reports_are_coded_by_the_head(text, sub):
    evs = extract_events(_doc(text))
    assert [(e.sub_event_type, e.why[:5]) for e in evs] == [(sub, "model")]


def test_a_non_event_without_cues_stays_uncoded():
    text = "The central bank cut interest rates by half a point on Tuesday, its governor said."
    assert extract_events(_doc(text)) == []


def test_the_head_never_overrules_a_cue_the_rules_set_aside():
    # "could attack" is a plan: the rules drop it, and the head is not asked
    text = ("Residents of Djibo fear that militants could attack the town again now that the "
            "army convoy has left.")
    assert extract_events(_doc(text)) == []


def test_a_modal_report_without_cues_stays_uncoded():
    text = "Bandits may cart away cattle and grain from three villages in Zamfara, residents fear."
    assert extract_events(_doc(text)) == []


_NO_ONNX = """
import sys
sys.modules["onnxruntime"] = None            # as on a machine where the runtime is broken
sys.argv = ["sitrep", "extract", "-", "--db", sys.argv[1], "--published", "2024-05-06"]
from sitrep.cli import main
main()
"""


def test_a_broken_encoder_leaves_the_rules_coding(tmp_path):
    import subprocess
    import sys

    text = "Gunmen snatched a priest and two seminarians from a parish house in Kaduna."
    out = subprocess.run([sys.executable, "-c", _NO_ONNX, str(tmp_path / "t.db")],
                         input=text, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert sum("encoder cannot load" in ln for ln in out.stderr.splitlines()) == 1
