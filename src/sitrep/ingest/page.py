"""Split scraped page text into headline, article body, reader comments and page chrome.

The rules are general heuristics over lines and paragraphs (no site-specific rules):

* chrome: navigation and widget lines ("skip to Main Content", "Back To Top", share bars,
  menus of short Title-Case lines, "Related posts" and their link lists, cookie and newsletter
  notices, comment-form boilerplate, "Posted in" / "Tags:" lines);
* comments: everything after an explicit comment marker ("3 comments", "Leave a Reply",
  comment headers such as "John Smith says: March 3, 2019 at 4:12 pm", "Reply" links), or a
  trailing run of paragraphs separated by wider gaps (2+ blank lines) than the article uses and
  written in a reader's register (first/second person, "!", all lower case, "Mr. X, I ...");
* title: the first non-chrome line when it looks like a headline (short, no final period).

The body keeps the headline as its first line and paragraphs separated by one blank line, so
character offsets into it are meaningful and stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTENT, CHROME, COMMENT = "content", "chrome", "comment"

_STRIP_CHARS = " \t:|•·»›>«‹<-–—*#=_~[](){}"

_CHROME_EXACT = {
    "skip to main content", "skip to content", "skip to navigation", "skip to main navigation",
    "skip navigation", "skip to footer", "jump to content", "back to top", "scroll to top",
    "go to top", "to top", "top", "share this", "share", "shares", "share this article",
    "share this story", "share this post", "share article", "share story", "tweet", "print",
    "print this", "print this page", "email", "e-mail", "email this", "like", "like this",
    "unlike", "reply", "log in to reply", "login to reply", "cancel reply", "post comment",
    "submit comment", "post a comment", "leave a comment", "leave a reply", "subscribe",
    "subscribe now", "menu", "main menu", "open menu", "close menu", "search", "close",
    "toggle navigation", "navigation", "advertisement", "advertisment", "sponsored",
    "sponsored content", "ad", "loading", "loading...", "facebook", "twitter", "whatsapp",
    "linkedin", "reddit", "telegram", "pinterest", "messenger", "copy link", "copy url", "x",
    "comments", "comment", "previous article", "next article", "previous post", "next post",
    "previous story", "next story", "previous", "next", "read more", "continue reading",
    "sign in", "log in", "login", "log out", "register", "sign up", "home", "related",
    "follow us", "save", "listen", "listen to this article", "more", "show more", "view all",
    "website", "name", "email address", "trending", "popular", "latest", "about us",
    "contact us", "privacy policy", "terms of use", "terms of service", "donate",
}

_SHARE_WORDS = {
    "share", "this", "on", "via", "to", "the", "article", "story", "post", "facebook", "twitter",
    "whatsapp", "email", "e-mail", "print", "tweet", "linkedin", "reddit", "telegram",
    "pinterest", "messenger", "copy", "link", "x", "pocket", "flipboard", "tumblr", "vk",
    "mail", "sms", "more", "opens", "in", "new", "window", "click", "and", "or",
}
_NETWORK_WORDS = {
    "facebook", "twitter", "whatsapp", "linkedin", "reddit", "telegram", "pinterest",
    "messenger", "tweet", "email", "print", "pocket", "flipboard", "tumblr", "vk",
}

_CHROME_PATTERN_TEXTS = (
    r"^share (this|on|via|to|with)\b.{0,60}$",
    r"^click to (share|print|email|tweet)\b.*$",
    r"^(posted|filed|published) (in|under)\b.*$",
    r"^(tags?|tagged( with)?|categor(y|ies)|topics?|keywords?)\s*:.*$",
    r"^(\d[\d.,]*k?|one|no)\s+(comments?|responses?|replies|shares?)$",
    r"^(one|\d+)\s+thoughts?\s+on\b.*$",
    r"^(liked by\b.*|\d+\s+likes?|be the first to (like|comment)\b.*)$",
    r"^(©|\(c\)|copyright\b).{0,200}$",
    r"^.{0,150}\ball rights reserved\.?$",
    r"^(read|see) (also|more|next)\s*:.{0,200}$",
    r"^(also read|related)\s*:.{0,200}$",
    r"^follow us\b.{0,80}$",
    r"^your email address will not be published\b.*$",
    r"^required fields are marked\b.*$",
    r"^(name|email|e-mail|website|comment|url)\s*\*?\s*(\(required\))?$",
    r"^save my name, email,? and website\b.*$",
    r"^notify me of\b.*$",
    r"^this site uses akismet\b.*$",
    r"^comments are closed\b.*$",
    r"^you must be (logged|signed) in to (post|leave) a comment\b.*$",
    r"^(sign up|subscribe)\b.{0,150}$",
    r"^.{0,120}\bnewsletter\b.{0,120}$",
    r"^(advertisement|sponsored)\b.{0,40}$",
    r"^(like\s+)?loading\s*(\.\.\.|…)?$",
    r"^(previous|next|prev)\s*(article|post|story)?\s*:.{0,200}$",
)
# one alternation tried at the line's start: the same lines as trying each pattern in turn
_CHROME_PATTERNS = re.compile("|".join(f"(?:{p})" for p in _CHROME_PATTERN_TEXTS),
                              re.I)

_COOKIE = re.compile(r"\bcookies?\b", re.I)
_COOKIE_CTX = re.compile(
    r"\b(accept|consent|use|uses|using|policy|settings|preferences|browsing|experience|agree)\b",
    re.I)

_RELATED_HEADER = re.compile(
    r"^(related( posts?| articles?| stories| news| content| coverage| reading| links)?"
    r"|you (may|might) (also )?(like|be interested in)|read (more|also|next)|more (from|on|in)"
    r" .{1,40}|more (stories|news|articles)|recommended( for you| stories| articles)?"
    r"|most (read|popular|viewed|shared)|popular( posts| stories| now)?"
    r"|latest( news| stories| posts| articles)?|trending( now| stories)?|see also|also read"
    r"|further reading|top stories|editor'?s picks)$", re.I)

_COMMENT_MARKER = re.compile(
    r"^((\d[\d,]*|one|no)\s+(comments?|responses?|replies)|(one|\d+)\s+thoughts?\s+on\b.*"
    r"|(reader )?comments?(\s*\(?\d+\)?)?(\s*\|\s*(sign|log) ?in( to (comment|reply))?)?"
    r"|responses|leave a (reply|comment)"
    r"|join the (discussion|conversation)|discussion|what do you think\??|have your say"
    r"|add (a|your) comment|write a comment|(show|view|load) (all )?comments)$", re.I)
_REPLY_MARKER = re.compile(r"^((log|sign) ?in to reply|reply|reply to this comment|report)$",
                           re.I)

_MONTH = (r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?"
          r"|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.?")
_TIMESTAMP = re.compile(
    r"(\b\d{1,2}:\d{2}(:\d{2})?\s*([ap]\.?m\.?)?"
    r"|\b\d+\s+(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\b(yesterday|today)\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\b\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}})", re.I)
_SAYS_HEADER = re.compile(
    r"^(?P<name>\S.{0,60}?)\s+(says|said|wrote|commented|replied)\s*:\s*(?P<rest>.*)$", re.I)
_ON_HEADER = re.compile(r"^(?P<name>\S.{0,60}?)\s+(on|·|\||-|–|—)\s+(?P<rest>.+)$", re.I)
_NOT_A_NAME = re.compile(r"^(published|updated|last updated|posted|by|date|from|on)\b", re.I)

_REPORTING = re.compile(
    r"\b(said|says|according to|reported|reports|told|announced|stated|claimed|added)\b", re.I)
_ADDRESS = re.compile(r"^(mr|mrs|ms|dr|sir|dear|madam)\.?\s+[\w.'’-]+\s*,", re.I)
_FIRST_SING = re.compile(r"\b(I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll)\b|\b(my|me|mine)\b")
_FIRST_PLUR = re.compile(r"\b([Ww]e|us|[Oo]urs?)\b")
_SECOND = re.compile(r"\b(you|your|you're|you’re|yours)\b", re.I)
_EMOTICON = re.compile(r"(:\)|:\(|:D|;\)|\blol\b|\blmao\b|\bomg\b|[\U0001F300-\U0001FAFF])",
                       re.I)
_BYLINE = re.compile(r"^(by|from|words by|written by|reporting by)\s+\S|^(our|staff|special|a)\s+"
                     r"(\w+\s+)?(correspondent|reporter|writer)s?$|^(news|web|online) desk$", re.I)
_DATELINE = re.compile(r"^(published|updated|last updated|posted on|date)\b", re.I)
_QUOTES = re.compile(r"[\"“”«»]")


@dataclass
class _Item:
    line: int        # line number in the normalised text
    text: str        # stripped line text
    gap: int         # blank lines before this line (since the previous non-blank line)
    kind: str = CONTENT


def _norm(s: str) -> str:
    return " ".join(s.strip(_STRIP_CHARS).lower().split())


def _words(s: str) -> list[str]:
    return s.split()


_SHARE_STRIP = _STRIP_CHARS + ",;/"


def _is_share_bar(s: str) -> bool:
    """At most 15 words, all share-bar words, one of them a network or 'share' (it stops at
    the first other word: most lines are prose)."""
    n, network = 0, False
    for raw in s.split():
        t = raw.strip(_SHARE_STRIP).lower()
        if not t:
            continue
        n += 1
        if n > 15 or t not in _SHARE_WORDS:
            return False
        network = network or t in _NETWORK_WORDS or t == "share"
    return network


_NAV_SEPARATORS = "|•·»›>/"


def _is_separated_nav(s: str) -> bool:
    """Breadcrumbs and inline menus: 'Home > World > Middle East', 'News | Opinion | Video',
    and a menu laid out with runs of spaces ('NORTHERN LEDGER  News  Zamfara  Katsina')."""
    wide = [p for p in re.split(r"\s{2,}", s.strip()) if p]
    if len(wide) >= 4 and all(len(_words(p)) <= 3 and not re.search(r"[.,;:!?]$", p) and
                              all(t[:1].isupper() or t[:1].isdigit() or t == "&"
                                  for t in _words(p)) for p in wide):
        return True
    if not any(c in s for c in _NAV_SEPARATORS):
        return False
    parts = [p.strip() for p in re.split(r"\s+[|•·»›>/]\s+|\s*[|•·»›]\s*", s) if p.strip()]
    return len(parts) >= 3 and all(len(_words(p)) <= 4 and not p.endswith(".") for p in parts)


def is_chrome_line(s: str) -> bool:
    """True for a single line that is page furniture rather than article or comment text."""
    n = _norm(s)
    if not n:
        return bool(s.strip())  # a line of only bullets / rules
    if n in _CHROME_EXACT:
        return True
    flat = " ".join(s.split())
    if _CHROME_PATTERNS.match(flat):
        return True
    if _COOKIE.search(flat) and _COOKIE_CTX.search(flat) and len(_words(flat)) <= 70:
        return True
    if _is_share_bar(flat) or _is_separated_nav(s):
        return True
    return bool(_RELATED_HEADER.match(n))


def _is_menu_item(s: str) -> bool:
    w = _words(s)
    if not 1 <= len(w) <= 4 or len(s) > 32 or s[-1] in ".,;:!?\"”'’)":
        return False
    small = {"and", "of", "the", "in", "&", "-", "–", "a", "for", "to", "on", "us"}
    return all(t[0].isupper() or t[0].isdigit() or t.lower() in small for t in w)


def _is_prose(s: str) -> bool:
    return bool(re.search(r"[.!?][\"”'’)]*$", s)) or len(_words(s)) >= 20


def _is_headline(s: str) -> bool:
    w = _words(s)
    return 1 <= len(w) <= 25 and len(s) <= 200 and s[-1] not in ".,;:"


def _is_timestamp_line(s: str) -> bool:
    m = _TIMESTAMP.search(s)
    if not m or len(_words(s)) > 12:
        return False
    rest = _TIMESTAMP.sub(" ", s)
    rest = re.sub(r"\b(at|on|said|says|wrote|posted|·|\||-|–|—|,|edited|reply)\b", " ", rest,
                  flags=re.I)
    return len(_words(rest)) <= 5


def _is_name(s: str) -> bool:
    w = _words(s)
    return (1 <= len(w) <= 4 and len(s) <= 40 and not _is_prose(s) and not _NOT_A_NAME.match(s)
            and not _TIMESTAMP.search(s))


def _header_at(items: list[_Item], i: int, strict: bool) -> int:
    """Length (1 or 2 lines) of a comment header starting at items[i], or 0.

    strict: outside a known comment section a header must carry a timestamp
    ("John Smith says: March 3, 2019 at 4:12 pm", "jsmith\\n3 hours ago").
    """
    s = items[i].text
    nxt = items[i + 1].text if i + 1 < len(items) and items[i + 1].gap == 0 else ""
    m = _SAYS_HEADER.match(s)
    if m and _is_name(m.group("name")):
        rest = m.group("rest").strip()
        if rest and _is_timestamp_line(rest):
            return 1
        if not rest and nxt and _is_timestamp_line(nxt):
            return 2
        if not rest and not strict:
            return 1
        return 0
    m = _ON_HEADER.match(s)
    if m and _is_name(m.group("name")) and _is_timestamp_line(m.group("rest")) \
            and len(_words(s)) <= 14:
        return 1
    if _is_name(s) and nxt and _is_timestamp_line(nxt) and len(_words(nxt)) <= 10:
        return 2
    return 0


def informal_score(s: str) -> int:
    """How much a paragraph reads like a reader comment rather than news copy."""
    score = 0
    letters = [c for c in s if c.isalpha()]
    if len(letters) >= 3 and not any(c.isupper() for c in letters):
        score += 2
    if re.search(r"[!?]{2,}|!\s*$|\?!", s):
        score += 2
    elif "!" in s:
        score += 1
    if _ADDRESS.match(s) or s.startswith("@"):
        score += 2
    quoted = bool(_QUOTES.search(s))
    if _FIRST_SING.search(s) and not quoted:
        score += 1
    if _SECOND.search(s) and not quoted:
        score += 1
    if _FIRST_PLUR.search(s) and not quoted:
        score += 1
    if "?" in s:
        score += 1
    if _EMOTICON.search(s):
        score += 2
    if _REPORTING.search(s):
        score -= 2
    return score


@dataclass
class _Block:
    items: list[_Item]
    gap: int  # widest run of blank lines between this block and the previous content block

    @property
    def text(self) -> str:
        return "\n".join(it.text for it in self.items)


# A scraper's date marker fused in front of the page's first line ("date 2023-03-17 Protesters
# Clash With ..."): chrome, not a date the article gives.
_SCRAPE_DATE = re.compile(r"^date\s+\d{4}-\d{2}-\d{2}\b\s*", re.I)
# A market ticker ("ABCD 51.87 Increased By ▲ 1.87 (3.74%)").
_TICKER = re.compile(r"[▲▼]\s*[\d.,]+\s*\(?[-+]?[\d.,]+%\)?")


def _items(text: str) -> list[_Item]:
    items: list[_Item] = []
    gap = 0
    for n, raw in enumerate(text.split("\n")):
        s = raw.strip()
        if not s:
            gap += 1
            continue
        s = " ".join(s.split()) if "\t" in s else s
        m = _SCRAPE_DATE.match(s) if not items else None
        if m:
            items.append(_Item(n, s[:m.end()].strip(), gap, CHROME))
            s, gap = s[m.end():], 0
            if not s:
                continue
        items.append(_Item(n, s, gap, CHROME if _TICKER.search(s) and len(s) < 120
                           else CONTENT))
        gap = 0
    return items


# A photo caption: a line that ends with the picture's credit ("... December 29, 2019.
# REUTERS/Khaled Abdullah", "(AP Photo/File)", "— DawnNewsTV/File", "(AFP)") or opens as one
# ("Photo: ...", "[Photo: ...]"), or a sentence closed by the outlet's own credit ("... in
# Tsafe. (Northern Ledger)"). A file or stock picture shows no incident of the story; any
# other caption is a paragraph of its own, so its day and place are not the next line's (a
# coder codes a dated gathering a caption names: articles/a17).
_AGENCY = r"(?:REUTERS|Reuters|AFP|AP|EPA|EPA-EFE|Getty Images|Anadolu(?: Agency)?|Xinhua|IANS|PTI|ANI)"
_NAME = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"   # a photographer, "File", "File Photo"
_CAPTION = re.compile(
    rf"(?:\b{_AGENCY}(?:\s+Photo)?(?:\s*/\s*{_NAME}){{1,3}}|\({_AGENCY}(?:\s+Photo)?"
    rf"(?:\s*/\s*{_NAME})?\)|[—–-]\s*[\w.]+/File|\b(?i:file (?:photo|picture|image))|"
    rf"[—–-]\s*{_NAME}\s*/\s*{_AGENCY}(?:\s+via\s+Getty Images)?|"
    rf"\((?i:photo|photograph|picture|image)\s*:\s*[^)\n]{{1,40}}\)|"
    rf"(?<=[.!?])\s*\({_NAME}\))\.?\s*$|"
    rf"^\[?(?i:(?:file )?(?:photo|picture|image|caption))\s*:")
_FILE_PICTURE = re.compile(r"/\s*File\b|\bFile (?:photo|picture|image)\b|\(File\)|\bstock "
                           r"(?:photo|picture|image)\b", re.I)


def _is_caption(s: str) -> bool:
    return len(_words(s)) <= 60 and bool(_CAPTION.search(s))


def _is_section_label(s: str) -> bool:
    """A page's section above its headline: "NATIONAL", "WORLD NEWS", "World News | Middle
    East", "Accueil | Afrique" (a breadcrumb of two parts)."""
    w = _words(s)
    if 1 <= len(w) <= 3 and s.isupper() and not re.search(r"[.:,;!?]$", s):
        return True
    parts = [p.strip() for p in re.split(r"\s+[|/»›>]\s+", s)]
    return len(parts) == 2 and len(w) <= 6 and all(
        p and len(_words(p)) <= 3 and all(t[:1].isupper() for t in _words(p)) for p in parts)


def _mark_chrome(items: list[_Item]) -> None:
    for i, it in enumerate(items):
        if is_chrome_line(it.text) or (i < 3 and _is_section_label(it.text) and i + 1 < len(items)
                                       and _is_headline(items[i + 1].text)):
            it.kind = CHROME
        elif _is_caption(it.text):
            if _FILE_PICTURE.search(it.text):
                it.kind = CHROME
            else:
                it.gap = max(it.gap, 1)
                if i + 1 < len(items):
                    items[i + 1].gap = max(items[i + 1].gap, 1)
    # menus: 3+ consecutive short Title-Case lines, at most one blank line apart
    i = 0
    while i < len(items):
        j = i
        while (j < len(items) and _is_menu_item(items[j].text)
               and (j == i or items[j].gap <= 1)):
            j += 1
        if j - i >= 3:
            for it in items[i:j]:
                it.kind = CHROME
            i = j
        else:
            i += 1
    # a summary above the story ("Key points", "HIGHLIGHTS"): its bullets tell again what
    # the story tells (issue 15: standfirsts are chrome)
    for i, it in enumerate(items):
        if _SUMMARY_HEADER.match(_norm(it.text)):
            j = i + 1
            while j < len(items) and _BULLET.match(items[j].text) and (
                    j == i + 1 or items[j].gap == 0):
                items[j].kind = CHROME
                j += 1
            if j > i + 1:
                it.kind = CHROME
    _headed_link_lists(items)
    # link lists under "Related posts", "Read more", "Most read" ...
    i = 0
    while i < len(items):
        if items[i].kind == CHROME and _RELATED_HEADER.match(_norm(items[i].text)):
            j = i + 1
            while j < len(items):
                s = items[j].text
                if _COMMENT_MARKER.match(_norm(s)) or _SAYS_HEADER.match(s):
                    break
                if items[j].kind == CHROME or (_is_headline(s) and not _is_prose(s)) \
                        or _is_timestamp_line(s) or (_BULLET.match(s) and len(_words(s)) <= 25):
                    items[j].kind = CHROME
                    j += 1
                else:
                    break
            i = j
        else:
            i += 1


LINK_LIST_MIN = 2        # bullet headlines under a header that make a list of links
# what a header of a list of links says of it ("Other Press Releases", "Read our previous
# live blog"), not the story's own heading ("Incidents reported on Monday")
_LINKS_WORD = re.compile(r"\b(?:other|more|previous|earlier|related|also|see|further|latest|"
                         r"recent|popular|read|stories|news|releases|posts|articles|coverage|"
                         r"links|blogs?|watch|listen)\b", re.I)
TAIL_PROSE_WORDS = 15    # a line this long after the list: the story goes on (no tail)


def _headed_link_lists(items: list[_Item]) -> None:
    """A list of links under a header of any wording ("Other Press Releases", "Read our
    previous live blog: Sunday 1 September"): a short line that is no sentence, then two or
    more bullet lines right under it, each a headline (no closing full stop), with no more
    of the story after them (issue 15: "read also" lists are chrome, whatever they are
    called). A digest's bulleted reports further up the page stay."""
    i = 0
    while i < len(items):
        it = items[i]
        if it.kind == CONTENT and not _BULLET.match(it.text) and _is_headline(it.text) \
                and len(_words(it.text)) <= 10 and _LINKS_WORD.search(it.text):
            j = i + 1
            while j < len(items) and items[j].gap == 0 and items[j].kind == CONTENT and \
                    _BULLET.match(items[j].text) and _is_headline(items[j].text) and \
                    not _is_prose(items[j].text):
                j += 1
            if j - i - 1 >= LINK_LIST_MIN and not any(
                    x.kind == CONTENT and len(_words(x.text)) >= TAIL_PROSE_WORDS
                    for x in items[j:]):
                for x in items[i:j]:
                    x.kind = CHROME
                i = j
                continue
        i += 1


def _blocks(items: list[_Item], kind: str = CONTENT) -> list[_Block]:
    """Paragraphs of items of one kind; chrome lines between two lines also split them."""
    blocks: list[_Block] = []
    cur: list[_Item] = []
    widest = cur_gap = 0
    prev_kind = None
    for it in items:
        widest = max(widest, it.gap)
        if it.kind != kind:
            prev_kind = it.kind
            continue
        if cur and (it.gap > 0 or prev_kind != kind):
            blocks.append(_Block(cur, cur_gap))
            cur = []
        if not cur:
            cur_gap = widest
        cur.append(it)
        widest = 0
        prev_kind = kind
    if cur:
        blocks.append(_Block(cur, cur_gap))
    return blocks


_DAY = re.compile(r"\b(?:\d{1,2}\s+" + _MONTH + r"|" + _MONTH + r"\.?\s+\d{1,2}|(?:mon|tues|wednes|"
                  r"thurs|fri|satur|sun)day)\b", re.I)


_BULLET = re.compile(r"^\s*(?:[•●▪◦*·]|[-–](?=\s))\s*")
_SUMMARY_HEADER = re.compile(r"^(key points|highlights|at a glance|key takeaways|in brief|"
                             r"summary|the latest|what we know)$", re.I)


def _line_paragraphs(blocks: list[_Block]) -> list[_Block]:
    """A gallery, timeline or digest whose reports are separated by single line breaks: a
    block whose lines are each a whole paragraph (8+ words ending a sentence; a headline may
    lead) that names its own day is one paragraph a line. A story whose paragraphs are only
    line-broken stays one paragraph, as does hard-wrapped text: across paragraphs Sitrep
    would read it as several incidents (measured on the article pages: recall 0.87 -> 0.97
    on one half, precision 0.68 -> 0.54 on the other when every such line was split)."""
    out: list[_Block] = []
    for b in blocks:
        lines = b.items
        bullets = [it for it in lines if _BULLET.match(it.text)]
        if len(bullets) >= 2 and 2 * sum(1 for it in bullets if _DAY.search(it.text)) >= \
                len(bullets):
            # a digest whose items tell their own days: each item a paragraph of its own
            # ("• On 3 June, NSAGs attacked ...", "• On 7 June, clashes ..."), a line with
            # no bullet the rest of the item above it. (Every list split: one more false
            # event on the gold check pages.)
            start = 0
            for k in range(1, len(lines) + 1):
                if k == len(lines) or _BULLET.match(lines[k].text):
                    out.append(_Block(lines[start:k], b.gap if start == 0 else 1))
                    start = k
            continue
        body = lines[1:] if len(lines) > 2 and _is_headline(lines[0].text) else lines
        whole = [it for it in body if len(_words(it.text)) >= 8 and _is_prose(it.text)
                 and re.search(r"[.!?][\"”'’)]*$", it.text) and _DAY.search(it.text)]
        if len(body) >= 2 and len(whole) >= 0.8 * len(body):
            out.extend(_Block([it], b.gap if i == 0 else 1) for i, it in enumerate(lines))
        else:
            out.append(b)
    return out


def _comment_zone(items: list[_Item]) -> int | None:
    """Index of the first item of an explicit comment section, or None."""
    seen_prose = 0
    for i, it in enumerate(items):
        s = it.text
        if it.kind == CONTENT and _is_prose(s) and not _header_at(items, i, strict=True):
            seen_prose += 1
            continue
        if seen_prose < 1:
            continue
        if _COMMENT_MARKER.match(_norm(s)):
            return i
        if it.kind == CONTENT and _header_at(items, i, strict=True):
            return i
        if _REPLY_MARKER.match(_norm(s)):
            # the comment is the paragraph just above the first "Reply" link
            k = i - 1
            while k >= 0 and items[k].kind == CHROME:
                k -= 1
            while k > 0 and items[k].gap == 0 and items[k - 1].kind == CONTENT:
                k -= 1
            return max(k, 0)
    return None


def _split_zone(items: list[_Item]) -> list[str]:
    """Comments of an explicit comment section, one string per comment."""
    has_headers = any(it.kind != CHROME and _header_at(items, i, strict=False)
                      for i, it in enumerate(items))
    comments: list[list[str]] = []
    cur: list[str] = []
    last_line_of_para = False
    i = 0
    while i < len(items):
        it = items[i]
        if it.kind == CHROME or _COMMENT_MARKER.match(_norm(it.text)):
            it.kind = CHROME
            if _REPLY_MARKER.match(_norm(it.text)) and cur:
                comments.append(cur)
                cur = []
            i += 1
            last_line_of_para = True
            continue
        h = _header_at(items, i, strict=False) if has_headers else 0
        if h:
            if cur:
                comments.append(cur)
            cur = ["\n".join(x.text for x in items[i:i + h])]
            for x in items[i:i + h]:
                x.kind = COMMENT
            i += h
            last_line_of_para = False
            continue
        it.kind = COMMENT
        if not has_headers and cur and (it.gap > 0 or last_line_of_para):
            comments.append(cur)
            cur = []
        if cur and (it.gap > 0 or last_line_of_para):
            cur.append("\n" + it.text)
        else:
            cur.append(it.text)
        last_line_of_para = False
        i += 1
    if cur:
        comments.append(cur)
    return ["\n".join(c).replace("\n\n\n", "\n\n").strip() for c in comments if c]


def _implicit_comments(blocks: list[_Block], first_body: int) -> int:
    """Index of the first trailing block that is reader comments (len(blocks) if none)."""
    n = len(blocks)
    cut = n
    # a trailing run separated by 2+ blank lines when the article itself uses fewer
    k = n - 1
    while k > first_body and blocks[k].gap >= 2:
        k -= 1
    # blocks[k+1:] are separated by wide gaps; blocks[k] leads into them
    if k < n - 1:
        body_gaps = [b.gap for b in blocks[first_body + 1:k + 1]]
        narrow_article = bool(body_gaps) and sorted(body_gaps)[len(body_gaps) // 2] <= 1
        rest = blocks[k + 1:]
        informal = sum(1 for b in rest if informal_score(b.text) > 0)
        if narrow_article and informal * 2 >= len(rest):
            cut = k + 1
            if k > first_body and informal_score(blocks[k].text) > 0:
                cut = k
    # then strongly informal trailing paragraphs, whatever the spacing
    while cut - 1 > first_body:
        b = blocks[cut - 1]
        sc = informal_score(b.text)
        if sc >= 3 and len(_words(b.text)) <= 120:
            cut -= 1
        else:
            break
    return cut


# UTF-8 read as a legacy code page on the way to the page ("SÃ©no", cp1252; "Sรฉno", cp874
# Thai): a run of such characters that decodes as UTF-8 when encoded back is repaired
_MOJIBAKE = re.compile(r"[\u00c2-\u00f4\u0e00-\u0e7f][\u0080-\u00bf\u0152-\u203a\u0e00-\u0e7f"
                       r"\u20ac\u2122]{1,3}")


def repair_mojibake(text: str) -> str:
    """Repair UTF-8 text that was decoded as cp1252 or cp874 somewhere upstream."""
    if not _MOJIBAKE.search(text):
        return text

    def fix(m: re.Match) -> str:
        for codec in ("cp1252", "cp874"):
            try:
                out = m.group().encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if len(out) == 1 and out.isprintable():
                return out
        return m.group()

    return _MOJIBAKE.sub(fix, text)


def split_page(text: str) -> tuple[str, str, list[str], list[str]]:
    """Split scraped page text into (title, body, comments, chrome).

    body: the headline (when there is one) as its first line, then the article paragraphs,
    separated by one blank line; lines inside a paragraph keep their line breaks.
    comments: reader comments, one string per comment, in page order.
    chrome: the page-furniture lines removed, in page order.
    """
    text = repair_mojibake(text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", ""))
    items = _items(text)
    _mark_chrome(items)

    comments: list[str] = []
    zone = _comment_zone(items)
    zone_comments: list[str] = []
    if zone is not None:
        zone_comments = _split_zone(items[zone:])

    blocks = _line_paragraphs(_blocks(items[:zone] if zone is not None else items))

    # headline: the first content line, skipping a byline or date line or two before it
    title = ""
    title_item: _Item | None = None
    first_body = -1  # index of the block holding the title (blocks after it are the article)
    for bi, b in enumerate(blocks[:3]):
        s = b.items[0].text
        # a hard-wrapped first line ("CAIRO Oct 22 At least 20 Houthi militia" / "fighters
        # were killed ...") runs on into the next line: prose, not a headline
        wrapped = len(b.items) > 1 and b.items[1].text[:1].islower()
        if _is_headline(s) and not _is_prose(s) and not _BYLINE.match(s) and not wrapped \
                and len(_words(s)) >= 3 \
                and not _DATELINE.match(s) and not _is_timestamp_line(s):
            title, title_item, first_body = s, b.items[0], bi
            break
        if not (_BYLINE.match(s) or _DATELINE.match(s) or _is_timestamp_line(s)):
            break

    cut = _implicit_comments(blocks, max(first_body, 0) if title else 0)
    for b in blocks[cut:]:
        for it in b.items:
            it.kind = COMMENT
        comments.append(b.text)
    comments.extend(zone_comments)

    paras = [b.text for b in blocks[:cut]]
    if title_item is not None and first_body == 0 and len(blocks[0].items) > 1 and paras:
        # a story whose lines are only line-broken: its headline, and the byline or date
        # lines under it ("Updated 10:42 GMT, 6 March 2024"), are paragraphs of their own,
        # not the start of the lede's first sentence (no full stop ends them)
        rest = [it.text for it in blocks[0].items[1:]]
        k = 0
        while k < len(rest) - 1 and (_BYLINE.match(rest[k]) or _DATELINE.match(rest[k]) or
                                     _is_timestamp_line(rest[k])):
            k += 1
        paras[0] = "\n\n".join([title] + (["\n".join(rest[:k])] if k else []) +
                                 ["\n".join(rest[k:])])
    if title_item is not None and first_body > 0:
        # move the headline to the front; the byline/date lines stay, just after it
        head = blocks[first_body]
        rest = "\n".join(it.text for it in head.items[1:])
        paras = ([title] + [p.text for p in blocks[:first_body]]
                 + ([rest] if rest else []) + paras[first_body + 1:])
    # a line-broken story's byline or date lines opening the paragraph after the headline are
    # a paragraph of their own ("Published 6:40 AM, Monday 13 November 2023" is not the
    # lede's first words)
    if title and len(paras) > 1:
        lines = paras[1].split("\n")
        k = 0
        while k < len(lines) - 1 and (_BYLINE.match(lines[k]) or _DATELINE.match(lines[k]) or
                                      _is_timestamp_line(lines[k])):
            k += 1
        if k:
            paras[1:2] = ["\n".join(lines[:k]), "\n".join(lines[k:])]
    body = "\n\n".join(paras)
    chrome = [it.text for it in items if it.kind == CHROME]
    return title, body, comments, chrome
