"""Ingest: sources -> Documents; page chrome and reader comments split from the body."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep.ingest import IngestError, iter_documents, split_page
from sitrep.models import Document, content_id

EXAMPLES = Path("/work/shared/examples")
IED = EXAMPLES / "raqqa-ied-attacks-with-comments.txt"
REVENGE = EXAMPLES / "raqqa-revenge-attacks.txt"


def _need(p: Path) -> str:
    if not p.is_file():
        pytest.skip(f"{p} not available")
    return p.read_text(encoding="utf-8")


# --- the shared examples ----------------------------------------------------------------------

def test_ied_article_comments_split_off():
    text = _need(IED)
    title, body, comments, chrome = split_page(text)
    assert title == "ISIS Cells Attacks US-backed Forces In Raqqa"
    assert body.startswith(title + "\n\n")
    for word in ("Trump", "Putin", "Damascus", "rats", "Stupid"):
        assert word not in body
        assert any(word in c for c in comments)
    assert len(comments) == 5
    assert comments[0].startswith("the rats kills the rats")
    assert comments[1].startswith("Mr. Trump, I suggest")
    # every article paragraph survives, in order, one blank line apart
    for para in ("On July 6, the ISIS-linked news agency Amaq", "In the same day, a second IED",
                 "Last month, ISIS cells resurfaced", "These recent attacks of ISIS confirms"):
        assert para in body
    assert body.endswith("target personnel of the coalition.")
    assert "\n\n\n" not in body
    assert chrome == []


def test_revenge_article_chrome_split_off():
    text = _need(REVENGE)
    title, body, comments, chrome = split_page(text)
    assert title == "Syria, Isis tries to take revenge on SDF by hitting Raqqa civilians"
    assert body.startswith(title + "\n\n")
    assert "skip to Main Content" not in body and "Back To Top" not in body
    assert chrome == ["skip to Main Content", "Back To Top"]
    assert comments == []
    # standfirst and subheading (no final period) are article text, not chrome
    assert "Furthermore, it strengthens security in the prisons at Deir Ezzor" in body
    assert "through the Hadr desert\n\nA manhunt for ISIS militants" in body
    assert body.endswith("as soon as possible to neutralize them.")


def test_examples_folder_documents():
    if not EXAMPLES.is_dir():
        pytest.skip("examples not available")
    docs = list(iter_documents([str(EXAMPLES)], published=date(2018, 7, 7)))
    assert all(isinstance(d, Document) for d in docs)
    by_name = {Path(d.path).name: d for d in docs}
    d = by_name[IED.name]
    assert d.id == content_id(d.body)
    assert d.published == date(2018, 7, 7)
    assert len(d.comments) == 5 and "Trump" not in d.body
    assert d.text == IED.read_text(encoding="utf-8")


# --- other page styles -------------------------------------------------------------------------

NEWS_PAGE = """\
Home
World
Middle East
Politics
Opinion
Video

Skip to content

Suicide bomber kills 12 at market in Mogadishu

By Ahmed Hassan
March 2, 2019

MOGADISHU - A suicide bomber blew himself up at a crowded market in the Somali capital on Saturday, killing at least 12 people, police said.

Al-Shabaab claimed responsibility for the attack in a statement on its Andalus radio station.

"We heard a huge blast and then gunfire," said Farah Ali, a shopkeeper.

Share this:
Facebook
Twitter
WhatsApp
Email
Print

Related

Somali forces retake town from al-Shabaab
February 12, 2019
Car bomb hits Mogadishu checkpoint
January 30, 2019

3 Comments

John Smith says:
March 3, 2019 at 4:12 pm
This is terrible. When will it end?
Reply

Mary K says: March 3, 2019 at 6:40 pm
My thoughts are with the families.

I visited Mogadishu last year and you could feel the tension.
Log in to Reply

abdi99 says:
March 4, 2019 at 9:02 am
al shabaab must be stopped!!!
Reply

Leave a Reply
Your email address will not be published. Required fields are marked *
Comment
Name *
Email *
Website
Post Comment
We use cookies to give you the best experience on our website. By continuing you accept our cookie policy.
"""


def test_news_page_with_menu_share_related_and_comment_section():
    title, body, comments, chrome = split_page(NEWS_PAGE)
    assert title == "Suicide bomber kills 12 at market in Mogadishu"
    assert body.startswith(title + "\n\n")
    assert "By Ahmed Hassan" in body and "March 2, 2019" in body
    assert "killing at least 12 people, police said." in body
    assert '"We heard a huge blast and then gunfire," said Farah Ali, a shopkeeper.' in body
    assert body.endswith("said Farah Ali, a shopkeeper.")
    for junk in ("Middle East", "Share this", "Twitter", "Related", "Somali forces retake",
                 "Comments", "John Smith", "terrible", "Leave a Reply", "cookie", "Post Comment"):
        assert junk not in body, junk
    assert len(comments) == 3
    assert comments[0].startswith("John Smith says:")
    assert "When will it end?" in comments[0]
    assert "My thoughts are with the families." in comments[1]
    assert "I visited Mogadishu last year" in comments[1]   # a two-paragraph comment
    assert "al shabaab must be stopped" in comments[2]
    for c in ("Home", "Politics", "Share this:", "WhatsApp", "Car bomb hits Mogadishu checkpoint",
              "Reply", "Log in to Reply", "Post Comment"):
        assert c in chrome, c


WIRE = """\
Taliban attack kills 8 police in northern Afghanistan

KABUL, May 2 (Reuters) - Taliban fighters attacked a police checkpoint in Kunduz province overnight, killing eight policemen and wounding three, a provincial official said on Saturday.

"The attack started at around 2 a.m. and lasted for two hours," said Esmatullah Muradi, spokesman for the provincial governor.

The Taliban claimed responsibility. The group has stepped up attacks on Afghan security forces despite a U.S.-Taliban deal signed in February.

Kunduz city fell briefly to the Taliban in 2015 and again in 2016.

(Reporting by Abdul Qadir Sediqi; Editing by Alex Richardson)
"""


def test_wire_story_without_comments_loses_nothing():
    title, body, comments, chrome = split_page(WIRE)
    assert title == "Taliban attack kills 8 police in northern Afghanistan"
    assert comments == [] and chrome == []
    assert body == WIRE.strip()


FORUM_STYLE = """\
Protesters clash with police in Khartoum



Thousands of people took to the streets of Khartoum on Thursday, demanding the resignation of President Omar al-Bashir. Police fired tear gas to disperse them, witnesses said.



At least two protesters were wounded, according to a doctors' committee.



you guys should report more on this



Is anyone surprised? I'm not. Same story every year!
"""


def test_wide_spaced_article_keeps_paragraphs_and_drops_trailing_comments():
    title, body, comments, chrome = split_page(FORUM_STYLE)
    assert title == "Protesters clash with police in Khartoum"
    assert "Police fired tear gas" in body and "doctors' committee." in body
    assert "\n\n\n" not in body
    assert comments == ["you guys should report more on this",
                        "Is anyone surprised? I'm not. Same story every year!"]


def test_body_offsets_stable_and_id_ignores_chrome():
    plain = "Headline about a clash\n\nGunmen attacked a checkpoint near Beni on Monday.\n"
    framed = ("skip to Main Content\n\nHeadline about a clash\n\n"
              "Gunmen attacked a checkpoint near Beni on Monday.\n\nShare on Facebook\nTweet\n"
              "\nBack To Top\n")
    a = split_page(plain)[1]
    b = split_page(framed)[1]
    assert a == b == "Headline about a clash\n\nGunmen attacked a checkpoint near Beni on Monday."
    i = b.index("Beni")
    assert b[i:i + 4] == "Beni"


# --- sources and errors -----------------------------------------------------------------------

GOOD_A = "Clashes in Idlib\n\nSyrian government forces clashed with HTS near Saraqib on Monday.\n"
GOOD_B = "Raid in Borno\n\nBoko Haram fighters raided a village in Borno state, killing five.\n"


def test_folder_with_good_and_bad_files(tmp_path: Path):
    (tmp_path / "a_good.txt").write_text(GOOD_A, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b_good.txt").write_text(GOOD_B, encoding="utf-8")
    (tmp_path / "c_empty.txt").write_bytes(b"")
    (tmp_path / "d_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (tmp_path / "e_latin1.txt").write_bytes(
        "Caf\xe9 bomb\xe9\n".encode("latin-1") * 30)   # every line has invalid UTF-8
    big = tmp_path / "f_big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)            # sparse 50 MB file: size known without reading
    (tmp_path / ".hidden.txt").write_text(GOOD_A, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(GOOD_B, encoding="utf-8")

    out = list(iter_documents([str(tmp_path)]))
    docs = [d for d in out if isinstance(d, Document)]
    errs = {Path(e.path).name: e.reason for e in out if isinstance(e, IngestError)}
    assert [Path(d.path).name for d in docs] == ["a_good.txt", "b_good.txt"]
    assert docs[0].title == "Clashes in Idlib"
    assert errs == {
        "c_empty.txt": "empty",
        "d_binary.txt": "binary file",
        "e_latin1.txt": "not valid UTF-8 text",
        "f_big.txt": "too large (50 MB > 20 MB)",
    }


def test_size_limit_configurable_and_not_read(tmp_path: Path, monkeypatch):
    p = tmp_path / "big.txt"
    p.write_text("Headline\n\n" + "Fighting continued. " * 1000, encoding="utf-8")
    [e] = list(iter_documents([str(p)], max_bytes=1024))
    assert isinstance(e, IngestError) and e.reason.startswith("too large (")
    assert "> 0.0 MB" not in e.reason

    def no_open(*a, **k):  # the size check must not need to read the file
        raise AssertionError("file opened")
    monkeypatch.setattr(Path, "open", no_open)
    assert list(iter_documents([str(p)], max_bytes=1024))[0].reason.startswith("too large")


def test_decoding_boms_and_few_bad_bytes(tmp_path: Path):
    (tmp_path / "u16.txt").write_bytes(GOOD_A.encode("utf-16"))
    (tmp_path / "u8sig.txt").write_bytes(GOOD_A.encode("utf-8-sig"))
    # one stray byte in a long text: decoded with a replacement character
    (tmp_path / "stray.txt").write_bytes(GOOD_A.encode() + b"Caf\xe9. " + b"More text. " * 100)
    docs = list(iter_documents([str(tmp_path)]))
    assert all(isinstance(d, Document) for d in docs), docs
    by = {Path(d.path).name: d for d in docs}
    assert by["u16.txt"].body == by["u8sig.txt"].body == GOOD_A.strip()
    assert by["u16.txt"].id == by["u8sig.txt"].id
    assert "\ufffd" in by["stray.txt"].body


def test_sidecar_published_wins_over_flag(tmp_path: Path):
    (tmp_path / "a.txt").write_text(GOOD_A, encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(json.dumps(
        {"published": "2019-04-02", "url": "https://example.org/a", "title": "Idlib clashes",
         "source": "Example News"}), encoding="utf-8")
    (tmp_path / "b.txt").write_text(GOOD_B, encoding="utf-8")
    docs = list(iter_documents([str(tmp_path)], published=date(2020, 1, 1)))
    a, b = docs
    assert a.published == date(2019, 4, 2)
    assert (a.url, a.title, a.source_name) == ("https://example.org/a", "Idlib clashes",
                                               "Example News")
    assert b.published == date(2020, 1, 1)
    assert not any(Path(d.path).name.endswith(".meta.json") for d in docs)


def test_jsonl_with_bad_line(tmp_path: Path):
    p = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"url": "https://x.org/1", "title": "Clashes in Idlib",
                    "published": "2019-03-02T10:15:00Z", "text": GOOD_A}),
        "{not json",
        "",
        json.dumps({"url": "https://x.org/2", "html":
                    "<html><head><title>Raid</title><script>var x=1;</script></head><body>"
                    "<nav><a>Home</a> <a>World</a></nav><h1>Raid in Borno</h1>"
                    "<p>Boko Haram fighters raided a village in Borno state, killing five.</p>"
                    "<footer>&copy; 2019 Example</footer></body></html>"}),
        json.dumps({"url": "https://x.org/3", "title": "no text here"}),
        json.dumps(["a", "list"]),
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = list(iter_documents([str(p)], published=date(2020, 1, 1)))
    kinds = [type(x).__name__ for x in out]
    assert kinds == ["Document", "IngestError", "Document", "IngestError", "IngestError"]
    d1, e2, d4, e5, e6 = out
    assert d1.published == date(2019, 3, 2) and d1.path.endswith("feed.jsonl:1")
    assert d1.title == "Clashes in Idlib"
    assert e2.reason == "line 2: not JSON" and e2.path.endswith(":2")
    assert d4.published == date(2020, 1, 1)
    assert d4.body == ("Raid in Borno\n\n"
                       "Boko Haram fighters raided a village in Borno state, killing five.")
    assert "var x" not in d4.body and "Home" not in d4.body and "2019 Example" not in d4.body
    assert d4.title == "Raid in Borno" and "Home" in " ".join(d4.chrome)
    assert e5.reason.startswith("line 5: no text")
    assert e6.reason == "line 6: not a JSON object"


def test_jsonl_title_put_first_when_text_has_no_headline(tmp_path: Path):
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"title": "Raid in Borno",
                             "text": "Boko Haram fighters raided a village, killing five."}),
                 encoding="utf-8")
    [d] = list(iter_documents([str(p)]))
    assert d.body == "Raid in Borno\n\nBoko Haram fighters raided a village, killing five."


def test_stdin_text_and_jsonl():
    [d] = list(iter_documents(["-"], published=date(2018, 7, 7),
                              stdin=io.BytesIO(GOOD_A.encode())))
    assert isinstance(d, Document) and d.path == "stdin" and d.published == date(2018, 7, 7)
    assert d.title == "Clashes in Idlib"
    data = (json.dumps({"text": GOOD_A}) + "\n" + json.dumps({"text": GOOD_B}) + "\n").encode()
    out = list(iter_documents(["-"], stdin=io.BytesIO(data)))
    assert [x.title for x in out] == ["Clashes in Idlib", "Raid in Borno"]
    [e] = list(iter_documents(["-"], stdin=io.BytesIO(b"   \n")))
    assert e == IngestError("stdin", "empty")


def test_missing_path():
    [e] = list(iter_documents(["/nonexistent/sitrep/x.txt"]))
    assert e.reason == "not found"


def test_same_article_same_id_across_chrome(tmp_path: Path):
    (tmp_path / "a.txt").write_text(GOOD_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Skip to main content\n\n" + GOOD_A + "\nShare this:\nTweet\n",
                                    encoding="utf-8")
    a, b = list(iter_documents([str(tmp_path)]))
    assert a.id == b.id and b.chrome == ["Skip to main content", "Share this:", "Tweet"]


WORDPRESS = """\
We use cookies on this site to enhance your user experience. Accept

Gunmen abduct aid workers in North Kivu

Posted on March 3, 2019 by admin

Unidentified gunmen abducted three aid workers near Rutshuru on Sunday, the NGO said.

The workers were travelling to a health centre when their vehicle was stopped.

Share this:
Twitter
Facebook
Like this:
Like Loading...
Posted in Congo | Tagged Kivu, abduction | 2 Comments

2 thoughts on \u201cGunmen abduct aid workers in North Kivu\u201d

kivuwatcher
3 hours ago
So sad. Pray for them.
Reply

Jean-Paul
March 4, 2019 at 10:00
This happens every week in Rutshuru, nobody cares.
Reply
"""


def test_wordpress_page_username_and_timestamp_lines():
    title, body, comments, chrome = split_page(WORDPRESS)
    assert title == "Gunmen abduct aid workers in North Kivu"
    assert body.endswith("when their vehicle was stopped.")
    assert "cookies" not in body and "Like" not in body and "Rutshuru, nobody" not in body
    assert comments == ["kivuwatcher\n3 hours ago\nSo sad. Pray for them.",
                        "Jean-Paul\nMarch 4, 2019 at 10:00\n"
                        "This happens every week in Rutshuru, nobody cares."]
    assert "Like Loading..." in chrome and chrome.count("Reply") == 2


OPED = """\
Enough is enough

I have covered the war in Yemen for five years. I have seen what air strikes do to a market.

The coalition says it investigates every incident. It does not.

Enough is enough!
"""


def test_first_person_oped_without_comments_loses_nothing():
    assert split_page(OPED) == ("Enough is enough", OPED.strip(), [], [])


LINES = [
    "", "", "", "Back To Top", "Share this:", "Tweet", "Home", "World", "Reply", "3 Comments",
    "Rebels attack army post", "The army said five soldiers were killed near Beni on Monday.",
    "Police arrested 20 protesters in Kampala, witnesses said.",
    "John Smith says: March 3, 2019 at 4:12 pm", "this is so sad!!!", "Mr. Biden, I suggest",
    "Related posts", "Clashes in Idlib", "I don't believe a word of it?", "March 4, 2019",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=40))
def test_split_page_loses_and_invents_nothing(lines):
    text = "\n".join(lines)
    title, body, comments, chrome = split_page(text)
    src = sorted(x.strip() for x in lines if x.strip())
    out = [x for x in body.split("\n") if x] + chrome
    out += [x for c in comments for x in c.split("\n") if x]
    assert sorted(out) == src
    assert "\n\n\n" not in body
    assert not title or body.startswith(title)


# ---------------------------------------------------------------- page cleaning (real-articles issue)

def test_scraper_date_marker_and_ticker_are_chrome_and_the_headline_is_found():
    page = ("date 2022-04-11 Gunmen Kill Four Farmers In Plateau Village Raid\n"
            "KLSE 1,589.12 Decreased By ▼ 4.20 (0.26%)\n\n"
            "Gunmen killed four farmers in a raid on Kwall village in Plateau State on Sunday, "
            "police said.\n")
    title, body, _, chrome = split_page(page)
    assert title == "Gunmen Kill Four Farmers In Plateau Village Raid"
    assert chrome[:2] == ["date 2022-04-11", "KLSE 1,589.12 Decreased By ▼ 4.20 (0.26%)"]
    assert "2022-04-11" not in body and "KLSE" not in body


def test_a_line_broken_story_keeps_its_headline_and_date_line_out_of_the_lede():
    """A story whose lines are only line-broken stays one paragraph, but its headline (no
    full stop ends it) and the date line under it are paragraphs of their own, so neither
    runs into the lede's first sentence."""
    page = ("Bandits abduct 20 in Katsina village raid\n"
            "Updated 10:42 GMT, 6 March 2024\n"
            "Bandits abducted at least 20 people in a night raid on a village in Faskari area "
            "of Katsina State on Monday, residents said.\n"
            "The police confirmed the incident but did not give a figure.\n")
    title, body, _, _ = split_page(page)
    paras = body.split("\n\n")
    assert paras[0] == title == "Bandits abduct 20 in Katsina village raid"
    assert paras[1] == "Updated 10:42 GMT, 6 March 2024"
    assert paras[2].startswith("Bandits abducted") and len(paras) == 3


def test_hard_wrapped_first_line_and_a_one_word_label_are_not_headlines():
    wrapped = ("NAIROBI May 3 At least six police officers\n"
               "were killed when their vehicle hit a roadside bomb\n"
               "in Mandera county on Tuesday, officials said.\n")
    assert split_page(wrapped)[0] == ""
    labelled = ("Theme\n"
                "Police fired tear gas at students marching in Dhaka, in this photo taken "
                "on Monday.\n")
    assert split_page(labelled)[0] == ""


def test_a_gallery_of_dated_captions_is_one_paragraph_a_caption():
    page = ("Teachers Strike Spreads Across Chile\n"
            "Teachers march through the centre of Santiago during a national strike over pay "
            "on Tuesday 4 June 2024.\n"
            "Riot police fire water cannon at students blocking a road in Valparaiso on "
            "Tuesday 4 June 2024.\n"
            "Striking teachers rally outside the regional education office in Concepcion on "
            "4 June 2024.\n")
    body = split_page(page)[1]
    assert body.count("\n\n") == 3, body
    story = ("Militants Storm Police Post\n"
             "Militants stormed a police post in the town of Kulachi overnight, officials "
             "said.\n"
             "The attackers fled after a two-hour gunfight with the police in the town.\n"
             "Reinforcements were sent to the area and a search operation is under way.\n")
    title, body = split_page(story)[:2]
    # a story's lines stay one paragraph, under its headline
    assert body.split("\n\n") == [title, body[len(title) + 2:]] and "\n\n" not in body[len(title) + 2:]


@pytest.mark.parametrize("marker", ["COMMENTS (3)", "Comments (3)  |  Sign in to comment",
                                    "Reader comments (3)"])
def test_a_comment_count_in_brackets_opens_the_comments(marker):
    """The counted header ("COMMENTS (3)") lost its bracket to the line cleaner and was read
    as body, so a reader's "Police killed a boy in Kondele last week" became an event."""
    page = ("Police disperse traders in Eldoret\n\n"
            "Police fired tear gas at traders protesting against new market fees in Eldoret on "
            "Monday, witnesses said.\n\nThe county said the fees would stay.\n\n"
            f"{marker}\n"
            "Wanjiru K.: Police killed a boy in my estate in Kondele last week.\n"
            "Otieno_J: Same thing happened in Kisumu, terrible.\n")
    title, body, comments, chrome = split_page(page)
    assert "Kondele" not in body and "Eldoret on Monday" in body
    assert any("Kondele" in c for c in comments)


def test_a_menu_laid_out_with_spaces_is_chrome_and_a_caption_is_its_own_paragraph():
    """A menu whose items are set apart by runs of spaces was taken for the headline; a
    caption closed by the outlet's own credit, or opened by "[Photo:", ran into the lede."""
    page = ("KANO LEDGER  News  Kano  Jigawa  Editorial  Subscribe\n\n"
            "Gunmen abduct 12 travellers near Kura\n"
            "Published: May 3, 2022 | Our Correspondent, Kano\n"
            "A bus burns on the Kano-Zaria road near Kura. (Kano Ledger)\n"
            "[Photo: Police at a checkpoint in Kura on Monday. KL Photo]\n"
            "Gunmen abducted 12 travellers on the Kano-Zaria road near Kura on Monday night, "
            "police said.\n")
    title, body, comments, chrome = split_page(page)
    assert title == "Gunmen abduct 12 travellers near Kura"
    assert "KANO LEDGER  News  Kano  Jigawa  Editorial  Subscribe" in chrome
    paras = body.split("\n\n")
    assert "A bus burns on the Kano-Zaria road near Kura. (Kano Ledger)" in paras
    assert "[Photo: Police at a checkpoint in Kura on Monday. KL Photo]" in paras
    assert any(p.startswith("Gunmen abducted 12 travellers") for p in paras)


def test_lists_a_summary_a_digest_and_links():
    """A "Key points" summary above the story is chrome (it tells the story again); a digest
    whose bullets tell their own days is one paragraph an item (each its own incident); a
    "Read more" list of links is chrome even when a link ends with a question mark."""
    page = ("Fighting flares in Cabo Delgado\n\n"
            "Key points\n"
            "- Insurgents attacked a village near Macomia on Saturday\n"
            "- Four women were abducted near Mueda\n\n"
            "Security incidents\n"
            "• On 3 June, insurgents attacked a village near Macomia. Two civilians were "
            "killed.\n"
            "• On 7 June, clashes between soldiers and insurgents were reported near Mueda. "
            "No casualties were reported.\n\n"
            "Read more\n"
            "- Explainer: Who are the insurgents?\n"
            "- Mozambique: aid cut as violence spreads\n")
    title, body, comments, chrome = split_page(page)
    assert "Key points" in chrome and "- Four women were abducted near Mueda" in chrome
    assert "- Explainer: Who are the insurgents?" in chrome
    paras = body.split("\n\n")
    assert any(p.startswith("• On 3 June") and "On 7 June" not in p for p in paras)
    assert any(p.startswith("• On 7 June") for p in paras)


@pytest.mark.parametrize("raw, fixed", [
    ("a bus in Seytenga, in the northern province of S\u0e23\u0e09no.", "province of S\u00e9no."),
    ("gunmen near S\u00c3\u00a9gou \u00e2\u20ac\u201d residents said", "near S\u00e9gou \u2014 residents"),
])
def test_mojibake_on_the_page_is_repaired(raw, fixed):
    """UTF-8 shown as cp874 ("Sรฉno") or cp1252 ("SÃ©gou") on the scraped page: the place
    name would never resolve. Real accents, dashes and Thai text stay as they are."""
    title, body, comments, chrome = split_page("Attack in the north\n\n" + raw + "\n")
    assert fixed in body
    keep = "São Paulo, Ségou – “quoted”, ภาษาไทย."
    assert keep in split_page("Title line here\n\n" + keep + "\n")[1]


def test_a_date_line_above_a_line_broken_lede_is_its_own_paragraph():
    page = ("THE KP POST | Home | Pakistan | KP | World\n"
            "Two policemen killed in checkpost attack\n"
            "Our Correspondent | Peshawar\n"
            "Published 6:40 AM, Monday 13 November 2023\n"
            "Militants stormed a police checkpost in Lakki Marwat on Saturday, killing two "
            "policemen, police said.\n"
            "The attackers fled into the hills, an official said.\n")
    title, body, comments, chrome = split_page(page)
    paras = body.split("\n\n")
    assert "Published 6:40 AM, Monday 13 November 2023" in paras
    assert any(p.startswith("Militants stormed") for p in paras)


LINKS_UNDER_ANY_HEADER = """\
Police say two attackers killed after grenade attack on station in Tank

A grenade was hurled at the main gate of a police station in Tank city late on Thursday,
injuring a constable, police said. Officers returned fire and the attackers fled.

Public Relations Officer, Regional Police Office

Other Press Releases
- Two policemen martyred in attack on check post in Lakki Marwat
- Open court held by district police officer
- Drug peddlers arrested, charas recovered

(c) Provincial Police. All rights reserved.
"""

DIGEST_WITH_BULLETS = """\
Security digest

Mali
- Kidal: two soldiers killed when their vehicle hit a mine
- Gao: gunmen abduct three traders on the road to Ansongo

Niger
- Tillaberi: army says 12 militants killed in air strikes

The digest is compiled from local media and partner reports each week, and it lists the
incidents our correspondents could confirm with two independent sources on the ground.
"""


def test_a_list_of_links_under_a_header_of_any_wording_is_chrome():
    # ingest.page._headed_link_lists: bullet headlines at the end of the page
    title, body, comments, chrome = split_page(LINKS_UNDER_ANY_HEADER)
    assert "Lakki Marwat" not in body and "grenade was hurled" in body
    assert any("Lakki Marwat" in c for c in chrome)
    # a digest's bulleted reports, with the story going on after them, stay in the body,
    # and so do those that end the page under the story's own heading
    assert "Kidal: two soldiers" in split_page(DIGEST_WITH_BULLETS)[1]
    tail = DIGEST_WITH_BULLETS.rsplit("\n\n", 1)[0] + "\n"
    assert "Tillaberi: army says" in split_page(tail)[1]
