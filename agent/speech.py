"""Spoken English for narration: titles shortened for speech, possessives, a/an, counts in words, lists with
"and" and durations the way a radio host says them. Every function only reshapes a fact; none adds one."""

from __future__ import annotations

import re

from tools.normalize import base_title

_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_BRACKETED = re.compile(r"^\s*[\(\[][^\)\]]*[\)\]]\s*|\s*[\(\[][^\)\]]*[\)\]]\s*$")  # an aside opening or closing it
_OPUS = re.compile(r",?\s+(?:Op|K|KV|BWV|Hob|HWV|RV|WoO|D|S|L)\.?\s*[\dIVX].*$")
_SPLIT = re.compile(r"\s*(?::\s|\s[-–—|/]\s)")
_COMMA = re.compile(r",\s")
COMMA_HEAD_WORDS = 3  # a long title cut at its first comma keeps at least this many words ('Oh, What a …' stays)
_EPISODE_NUMBER = re.compile(r"^\s*(?:(?:ep(?:isode)?|no|part|#)\.?\s*#?\d+|#?\d{1,4})\s*[:.\-–—|]\s+", re.I)
_LETTER_AN = set("AEFHILMNORSX")  # letters whose spoken name starts with a vowel sound
_A_BEFORE = re.compile(r"^(?:uni|use|usu|ut|eu|ew|one|once|ouija|ufo)", re.I)
_AN_BEFORE = re.compile(r"^(?:hour|honest|honou?r|heir)", re.I)
_INITIALISMS = {"edm", "r&b", "uk", "us", "idm", "dnb", "ebm", "nyc", "la", "dc", "mpb", "opm"}
SPOKEN_WORDS = 6  # a title longer than this is cut at its first ':' or ' - ' (else its first comma) when what is left still says something


def spoken_title(title: str) -> str:
    """A title as a host says it: no featured credits, version notes or asides in brackets, no catalogue
    numbers, and a long title cut at its first separator ('Sonata No. 14: I. Adagio' → 'Sonata No. 14').
    Only whole parts are dropped, so the result is always the start or a whole piece of the title."""
    full = base_title(title)
    text = _asides_off(_OPUS.sub("", full) or full)
    if len(text.split()) > SPOKEN_WORDS:
        head = _SPLIT.split(text, maxsplit=1)[0]
        text = _asides_off(_OPUS.sub("", head) or head) if re.search(r"[^\W\d_]{2,}", head) else text
    if len(text.split()) > SPOKEN_WORDS:
        text = _comma_head(text)
    return _tidy(text) or _tidy(full) or full


def _comma_head(text: str) -> str:
    """A long title up to the first comma that leaves at least COMMA_HEAD_WORDS words ('Oh, What a Beautiful
    Mornin', from …' → 'Oh, What a Beautiful Mornin''), or the whole title when no comma does."""
    parts = _COMMA.split(text)
    for n in range(1, len(parts)):
        head = ", ".join(parts[:n])
        if len(head.split()) >= COMMA_HEAD_WORDS:
            return head
    return text


def spoken_episode(title: str) -> str:
    """An episode title without its leading number ('Ep. 12: …'), its trailing show tag ('… | The Show')
    and asides in brackets."""
    text = _EPISODE_NUMBER.sub("", title).strip() or title
    text = re.split(r"\s+[|•]\s+", text, maxsplit=1)[0]
    text = _asides_off(text)
    return _tidy(text) or title.strip()


def _asides_off(text: str) -> str:
    """Bracketed asides at the start or end removed ('(Live)', '(From "Film")'); one inside the title stays."""
    while (cut := _BRACKETED.sub("", text, count=1).strip()) != text and cut:
        text = cut
    return text


def _tidy(text: str) -> str:
    """Spaces collapsed, unpaired quotes and trailing commas, colons or dots dropped (a '?' or '!' stays)."""
    text = " ".join(text.split())
    if text.count('"') % 2:
        text = text.replace('"', "")
    return text.strip(" ,;:-–—.…").strip()


def possessive(name: str) -> str:
    """'The Civil Wars' → 'The Civil Wars'', 'Iron & Wine' → 'Iron & Wine's'; initials take 's ('BTS's')."""
    name = name.strip()
    if not name or name[-1] in "'’":
        return name
    initials = len(name) >= 2 and name[-1].isupper() and not name[-2].islower()
    if name[-1] in "sSzZ" and not initials:
        return name + "'"
    return name + "'s"


def article(phrase: str) -> str:
    """'a' or 'an' for the sound the phrase starts with: an indie, a hip hop, an R&B, an 80s, a UK."""
    word = phrase.split()[0] if phrase.split() else ""
    head = re.sub(r"[^\w&]", "", word)
    if not head:
        return "a"
    if head[0].isdigit():
        return "an" if re.match(r"8|1[18](?:\d\d)?(?!\d)", head) else "a"
    if len(head) > 1 and (head.isupper() or "&" in head):
        return "an" if head[0].upper() in _LETTER_AN else "a"
    if _AN_BEFORE.match(head):
        return "an"
    return "an" if head[0].lower() in "aeiou" and not _A_BEFORE.match(head) else "a"


def with_article(phrase: str) -> str:
    return f"{article(phrase)} {phrase}" if phrase else ""


def number_words(n: int) -> str:
    """0-99 in words, larger numbers in digits."""
    if 0 <= n < 20:
        return _SMALL[n]
    if 20 <= n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens - 2] + (f"-{_SMALL[ones]}" if ones else "")
    return str(n)


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'one song', 'eleven songs', 'two episodes'."""
    return f"{number_words(n)} {noun if n == 1 else plural or noun + 's'}"


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) < 3:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def duration_phrase(minutes: int) -> str:
    """'about 41 minutes', 'about an hour', 'about an hour and a half', 'about three hours'."""
    if minutes < 2:
        return "about a minute"
    if minutes < 55:
        return f"about {minutes} minutes"
    halves = round(minutes / 30)
    if halves <= 2:
        return "about an hour" if minutes < 68 else "just over an hour"
    hours, half = divmod(halves, 2)
    whole = "an hour" if hours == 1 else f"{number_words(hours)} hours"
    if half:
        return f"about {whole} and a half" if hours == 1 else f"about {number_words(hours)} and a half hours"
    return f"about {whole}"


def spoken_genre(genre: str) -> str:
    """A genre as written in a sentence: initialisms in capitals ('edm' → 'EDM', 'r&b' → 'R&B')."""
    return " ".join(w.upper() if w in _INITIALISMS else w for w in genre.split())


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
