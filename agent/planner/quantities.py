"""Numbers in prompts: track counts, total and per-track durations, BPM, years and decades.

Each extractor reads the normalised prompt through a `Marker` (which claims the characters it used so
no phrase is read twice) and writes plain values into a dict of PlaylistSpec fields."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from agent.models import MAX_COUNT
from agent.planner.lexicon import DECADE_WORDS, NUMBER_WORDS

#: "around 128 bpm" → tempo_target 128 and the band [123, 133].
BPM_BAND = 5
BPM_RANGE = (40, 220)
#: Early / mid / late part of a decade, as offsets from its first year.
DECADE_PART = {"early": (0, 4), "mid": (3, 7), "late": (6, 9)}
RECENT_YEARS = 2

_NUM_WORDS = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
NUM = rf"(?:\d+(?:\.\d+)?|(?:{_UNITS}|a|one)[\s-]hundred|(?:{_TENS})[\s-](?:{_UNITS})|{_NUM_WORDS})"
_NUM_PLAIN = rf"(?:(?:{_TENS})[\s-](?:{_UNITS})|{_TENS}|{_UNITS}|ten|eleven|twelve|fifteen)"
_HOURS = r"(?:hours?|hrs?|h)"
_MINUTES = r"(?:minutes?|mins?|m)"
_COUNT_UNIT = (r"(?:songs?|tracks?|tunes?|jams|bangers|bops|hits|records|cuts|numbers|picks|tracs|sngs|songz|sogns|"
               r"joints|anthems|ballads|classics|pieces|singles|selections|tacks|trakcs|sings)")
_COUNT_GAP_BLOCK = re.compile(r"\b(?:hours?|hrs?|minutes?|mins?|bpm|years?|of|from|in|the|to|for)\b")


_CHAR_MAP = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-", "“": '"', "”": '"'})


def normalise(prompt: str) -> str:
    """Lower-case, accent-folded, same length as the prompt (so positions map back to the original)."""
    out = []
    for ch in prompt.translate(_CHAR_MAP):
        base = unicodedata.normalize("NFKD", ch)[:1] or ch
        low = base.lower()
        out.append(low if len(low) == 1 else base)
    return "".join(out)


class Marker:
    """The shared view of one prompt: finds unclaimed phrases and claims them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.used = bytearray(len(text))
        self.dropped = bytearray(len(text))

    def free(self, start: int, end: int) -> bool:
        return not any(self.used[start:end])

    def claim(self, start: int, end: int, drop: bool = True) -> None:
        self.used[start:end] = b"\x01" * (end - start)
        if drop:
            self.dropped[start:end] = b"\x01" * (end - start)

    def find(self, pattern: str | re.Pattern[str], claim: bool = True, drop: bool = True) -> Iterator[re.Match[str]]:
        """Unclaimed whole-word matches of the pattern, claimed as they are yielded."""
        rx = pattern if isinstance(pattern, re.Pattern) else _compile(pattern)
        for m in rx.finditer(self.text):
            if m.end() > m.start() and self.free(m.start(), m.end()):
                if claim:
                    self.claim(m.start(), m.end(), drop)
                yield m


_compiled: dict[str, re.Pattern[str]] = {}


def _compile(pattern: str) -> re.Pattern[str]:
    rx = _compiled.get(pattern)
    if rx is None:
        rx = _compiled[pattern] = re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")
    return rx


def number(text: str) -> float | None:
    """'12' → 12, 'twenty five' → 25, 'two hundred' → 200, 'a dozen' → 12, 'an' → 1, 'half an' → 0.5."""
    text = text.strip().replace("-", " ")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    parts = text.split()
    if len(parts) == 2 and parts[1] == "hundred" and parts[0] in NUMBER_WORDS:
        return float(NUMBER_WORDS[parts[0]] * 100)
    if len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in NUMBER_WORDS:
        return float(NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]])
    return None


def _minutes_value(m: re.Match[str]) -> float | None:
    groups = m.groupdict()
    hours = number(groups["h"]) if groups.get("h") else 0.0
    raw = groups.get("m") or groups.get("m2")
    minutes = number(raw) if raw else 0.0
    if hours is None or minutes is None:
        return None
    total = hours * 60 + minutes + (30 if groups.get("half") else 0)
    return total or None


_MAX_TRACK = (
    rf"(?:no|nothing|none|not any)\s+(?:songs?|tracks?)\s+(?:longer than|over|above|more than|exceeding)\s+"
    rf"(?P<m>{NUM})\s*{_MINUTES}|nothing (?:longer than|over)\s+(?P<m2>{NUM})\s*{_MINUTES}",
    rf"(?:songs?|tracks?|each|everything|all of them)\s+(?:\w+\s+)?(?:under|less than|shorter than|below|"
    rf"no longer than|not longer than|not over|at most|max(?:imum)?(?: of)?|up to)\s+(?P<m>{NUM})\s*{_MINUTES}",
    rf"(?:no more than|max(?:imum)?|at most|under|up to|less than)\s+(?P<m>{NUM})\s*{_MINUTES}\s+(?:each|per (?:song|track))",
    rf"max(?:imum)?\s+(?:track|song)\s+(?:length|duration)\s+(?:of\s+)?(?P<m>{NUM})\s*{_MINUTES}",
)

_DURATIONS = (
    rf"(?P<h>{NUM})\s*{_HOURS}\s*(?:and\s+)?(?P<m>\d+)\s*(?:{_MINUTES})?",
    rf"(?P<h>{NUM})\s+and\s+a\s+(?P<half>half)\s+{_HOURS}",
    rf"(?P<h>an?|one)\s+{_HOURS}\s+and\s+a\s+(?P<half>half)",
    rf"(?P<h>{NUM})\s*-?\s*{_HOURS}(?:[\s-]+long)?",
    r"(?P<h>an?)?\s*hour[\s-]+long",
    rf"(?:\d+|{NUM})\s*(?:-|to)\s*(?P<m>\d+)\s*{_MINUTES}",
    rf"(?P<m>\d+(?:\.\d+)?)[\s-]*{_MINUTES}|(?P<m2>{_NUM_PLAIN})[\s-]+(?:minutes?|mins?)",
    r"half\s+an?\s+(?P<half>hour)|(?P<half2>half)[\s-]hour",
)


def durations(mk: Marker, out: dict[str, Any]) -> None:
    for pattern in _MAX_TRACK:
        for m in mk.find(pattern):
            value = number(m.group("m") or m.groupdict().get("m2") or "")
            if value and 0 < value <= 60:
                out["max_track_minutes"] = value
    for pattern in _DURATIONS:
        for m in mk.find(pattern):
            value = 30.0 if (m.groupdict().get("half2") or (m.groupdict().get("half") == "hour")) else _minutes_value(m)
            if "hour" in m.group(0) and "long" in m.group(0) and not m.groupdict().get("h"):
                value = 60.0
            if value and 1 <= value <= 600 and "minutes" not in out:
                out["minutes"] = round(value, 1)


def counts(mk: Marker, out: dict[str, Any], flags: dict[str, Any],
           in_name: Callable[[int, int], bool] | None = None) -> None:
    """'15 songs', 'top 20', 'a playlist of 30': the track count. in_name(start, end) says the number opens an
    artist's name ('Three Days Grace songs', '21 Savage songs'), which is no count."""
    for m in mk.find(rf"(?P<top>top\s+)?(?P<n>{NUM})[\s-]+(?P<gap>(?:[a-z&'/-]+\s+){{0,3}}?){_COUNT_UNIT}"
                     rf"|(?:playlist|list|mix) of (?P<n2>\d+)|(?P<top2>top)\s+(?P<n3>\d+)|(?P<n4>\d+) of (?:them|those|these)",
                     claim=False):
        n = m.group("n") or m.group("n2") or m.group("n3") or m.group("n4")
        if (m.group("top") or m.group("top2")) and n in ("40", "forty"):
            continue  # "top 40" is radio, not a count
        if n in ("a", "an", "half an", "half a", "a half") or (m.group("gap") and _COUNT_GAP_BLOCK.search(m.group("gap"))):
            continue
        value = number(n)
        if value is None or value != int(value) or value < 1 or "count" in out:
            continue
        start = m.start("n") if m.group("n") else m.start()
        if in_name and m.group("n") and in_name(start, m.end("n")):
            continue
        mk.claim(start, m.end("n") if m.group("n") else m.end())
        out["count"] = int(min(value, MAX_COUNT))
        if value > MAX_COUNT:
            out["count_asked"] = int(value)
        if m.group("top") or m.group("top2") or re.search(r"(?:hits|classics|anthems)$", m.group(0)):
            flags["familiar"] = True


def bpm(mk: Marker, out: dict[str, Any]) -> None:
    unit = r"\s*(?:bpm|bpms|b\.p\.m|beats per minute|spm|steps per minute)"
    lo, hi = BPM_RANGE
    for m in mk.find(rf"(?:between\s+)?(?P<a>\d{{2,3}})\s*(?:-|to|and)\s*(?P<b>\d{{2,3}}){unit}"):
        a, b = sorted((int(m.group("a")), int(m.group("b"))))
        if lo <= a and b <= hi:
            out.update(tempo_min=float(a), tempo_max=float(b))
    for m in mk.find(rf"(?:under|below|less than|slower than|max(?:imum)?|at most|no more than|no faster than|"
                     rf"not over|up to)\s+(?P<v>\d{{2,3}}){unit}|(?P<v2>\d{{2,3}}){unit}\s+or\s+(?:less|slower|under|below)"):
        v = int(m.group("v") or m.group("v2"))
        if lo <= v <= hi:
            out["tempo_max"] = float(v)
    for m in mk.find(rf"(?:over|above|more than|faster than|at least|min(?:imum)?|no slower than)\s+(?P<v>\d{{2,3}}){unit}"
                     rf"|(?P<v2>\d{{2,3}})\s*\+{unit}|(?P<v3>\d{{2,3}}){unit}\s*(?:\+|or (?:more|faster|above|higher)|and up)"):
        v = int(m.group("v") or m.group("v2") or m.group("v3"))
        if lo <= v <= hi:
            out["tempo_min"] = float(v)
    for m in mk.find(rf"(?:(?:around|about|approx\w*|roughly|near|close to|at|~)\s*)?(?P<v>\d{{2,3}}){unit}"
                     rf"|(?:bpm|tempo)\s+(?:of\s+|around\s+|about\s+|near\s+)?(?P<v2>\d{{2,3}})"):
        v = int(m.group("v") or m.group("v2"))
        if lo <= v <= hi:
            out.update(tempo_target=float(v), tempo_min=float(v - BPM_BAND), tempo_max=float(v + BPM_BAND))


def _decade_start(text: str) -> int | None:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return int(digits) if 1950 <= int(digits) <= 2020 else None
    if len(digits) == 2:
        return {"50": 1950, "60": 1960, "70": 1970, "80": 1980, "90": 1990, "00": 2000}.get(digits)
    return DECADE_WORDS.get(text)


def _span(out: dict[str, Any], lo: int | None, hi: int | None) -> None:
    if lo is not None:
        out["year_min"] = min(lo, out.get("year_min", lo))
    if hi is not None:
        out["year_max"] = max(hi, out.get("year_max", hi))


_YEAR = r"(?:19[5-9]\d|20[0-2]\d)"
_DECADE = (r"(?:(?P<part>early|mid|late)[\s-]*)?(?:the\s+)?'?(?P<d>(?:19[5-9]0|20[0-2]0|[5-9]0|00)'?s|"
           + "|".join(DECADE_WORDS) + ")")


YearRule = tuple[str, Callable[[re.Match[str]], tuple[int | None, int | None]]]


def _year_rules(max_year: int) -> tuple[YearRule, ...]:
    def recent(m: re.Match[str]) -> tuple[int | None, int | None]:
        n = number(m.group("n")) if m.groupdict().get("n") else RECENT_YEARS
        return (max_year - int(n or RECENT_YEARS) + 1, None)

    return (*_LIMIT_RULES,
            (r"(?:last|past)\s+(?P<n>\d+|" + _NUM_WORDS + r")\s+years?|(?:latest|newest|recent|new releases|brand new|"
             r"this year|new music|fresh releases|current)", recent))


def _two(m: re.Match[str]) -> tuple[int | None, int | None]:
    a, b = m.group("a"), m.group("b")
    end = int(b) if len(b) == 4 else int(a[:2] + b)
    return (int(a), end) if end >= int(a) else (None, None)


#: Limits stated with a year: ranges, 'since 2015', 'no songs before 2010', 'after 1995', '2012 or later'.
_LIMIT_RULES: tuple[YearRule, ...] = (
    (rf"(?:from\s+|between\s+)?(?P<a>{_YEAR})\s*(?:-|to|and|through|thru|until|till)\s*(?P<b>{_YEAR}|\d{{2}})(?!s)", _two),
    (rf"(?:since|post|starting(?: from| in)?)[\s-]+(?P<y>{_YEAR})|from\s+(?P<y2>{_YEAR})\s*(?:on(?:wards?)?|and (?:later|after|up|newer)|or (?:later|newer)|\+)",
     lambda m: (int(m.group("y") or m.group("y2")), None)),
    (rf"(?:nothing|no songs?|none|no tracks?) (?:after|newer than|later than|past)\s+(?P<y>{_YEAR})",
     lambda m: (None, int(m.group("y")))),
    (rf"(?:nothing|no songs?|none|no tracks?) (?:before|older than|earlier than)\s+(?P<y>{_YEAR})",
     lambda m: (int(m.group("y")), None)),
    (rf"(?:after|newer than|later than)\s+(?P<y>{_YEAR})", lambda m: (int(m.group("y")) + 1, None)),
    (rf"(?P<y>{_YEAR})\s*(?:\+|and (?:later|after|up|newer)|or (?:later|newer)|on(?:wards?)?)",
     lambda m: (int(m.group("y")), None)),
    (rf"(?:before|pre|older than|prior to)[\s-]+(?P<y>{_YEAR})", lambda m: (None, int(m.group("y")) - 1)),
    (rf"(?:until|up to|through|thru|till)\s+(?P<y>{_YEAR})|(?P<y2>{_YEAR})\s+(?:or|and) (?:earlier|before|older)",
     lambda m: (None, int(m.group("y") or m.group("y2")))),
)


OLDIES_END = 1989  # "oldies", "songs my grandparents danced to": released up to the end of the 1980s (CPCD "old school oldies" asks for Anita Baker and Teddy Pendergrass)
_OLDIES = (r"(?:golden\s+)?oldies|old[- ]time[ys]?|old\s+(?:music|songs|tunes|records)(?!\s+(?:by|from|of)\b)|"
           r"(?:the\s+)?old\s+days|"
           r"(?:my\s+|our\s+)?grand(?:parents|ma|pa|mother|father|mom|dad|mas|pas)(?:'s|s')?\s+"
           r"(?:music|songs|tunes|era|day|days|generation|favou?rites|records)|"
           r"(?:songs|music|tunes)\s+(?:my\s+|our\s+)?grand(?:parents|ma|pa|mother|father|mom|dad)s?\s+"
           r"(?:danced|listened|loved|played|grew up|used to)")


def oldies(mk: Marker) -> bool:
    """'Oldies', 'old songs', 'songs my grandparents danced to' (up to OLDIES_END unless the prompt gives years).
    Read before the family words, which it leaves in place ('grandparents' still asks for the clean policy)."""
    return next(mk.find(_OLDIES, claim=False), None) is not None


def year_limits(text: str) -> dict[str, Any]:
    """The year_min / year_max a phrase states with years ('no songs before 2010', 'only stuff after 1995'); no
    decades, bare years or 'recent' (a refine reads decades and 'more recent' against its own playlist)."""
    mk = Marker(normalise(text))
    out: dict[str, Any] = {}
    for pattern, rule in _LIMIT_RULES:
        for m in mk.find(pattern):
            _span(out, *rule(m))
    return out


def years(mk: Marker, out: dict[str, Any], max_year: int) -> None:
    for pattern, rule in _year_rules(max_year):
        for m in mk.find(pattern):
            _span(out, *rule(m))
    for m in mk.find(_DECADE):
        start = _decade_start(m.group("d").replace("'", "").strip())
        if start is None:
            continue
        lo, hi = DECADE_PART.get(m.group("part") or "", (0, 9))
        _span(out, start + lo, start + hi)
    for m in mk.find(rf"(?P<y>{_YEAR})(?!s)"):
        _span(out, int(m.group("y")), int(m.group("y")))
