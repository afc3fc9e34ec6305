"""The format plan of a prompt: music only (the default), talk only, or music mixed with podcast episodes at
given positions. "with one short news episode in the middle", "a true-crime episode then something calm",
"comedy podcasts only", "3 history podcasts". Deterministic; talk appears only when the prompt names it.

Talk leads unless the prompt also asks for music: a music word ('songs', 'some chill music'), a genre or an
artist, or an episode set against something else ('in the middle', 'a news episode then chill vibes'). A mood
or an occasion ('for my commute', 'for my run', 'chill') says when or how the listener listens, which fits an
episode as well as a song, so "podcasts about history for my commute" is episodes only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.models import FormatPlan, TalkPosition, TalkSlot
from agent.planner.quantities import Marker, normalise

_WORD = re.compile(r"[a-z0-9]+(?:[-'&][a-z0-9]+)*|[,.;:!?()]")
NOUNS = {"podcast", "podcasts", "pod", "pods", "episode", "episodes"}
TWO_WORD_NOUNS = {("talk", "show"), ("talk", "shows"), ("talk", "radio")}
TOPIC_WORDS: dict[str, str] = {
    "true-crime": "true crime", "crime": "true crime", "murder": "true crime", "news": "news", "politics": "politics",
    "political": "politics", "comedy": "comedy", "comedic": "comedy", "funny": "comedy", "sport": "sports",
    "sports": "sports", "football": "sports", "basketball": "sports", "business": "business", "finance": "business",
    "money": "business", "tech": "technology", "technology": "technology", "health": "health", "wellness": "health",
    "fitness": "health", "science": "science", "history": "history", "historical": "history", "religion": "religion",
    "faith": "religion", "christian": "religion", "sermon": "religion", "education": "education",
    "educational": "education", "learning": "education", "culture": "culture", "music": "music", "kids": "family",
    "family": "family", "parenting": "family", "fiction": "fiction", "story": "fiction", "stories": "fiction",
    "book": "books", "books": "books", "film": "film & tv", "movie": "film & tv", "movies": "film & tv",
    "tv": "film & tv", "gaming": "games", "games": "games", "meditation": "meditation", "food": "food",
    "cooking": "food", "relationship": "relationships", "relationships": "relationships", "dating": "relationships",
}
TWO_WORD_TOPICS = {("true", "crime"): "true crime", ("pop", "culture"): "pop culture",
                   ("current", "affairs"): "news", ("self", "help"): "health"}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "couple": 2}
LENGTH_WORDS = {"short": 20.0, "quick": 15.0, "brief": 15.0, "long": None}
FILLER = {"the", "of", "some", "few", "good", "great", "new", "latest", "recent", "little", "couple", "bit"}
ONLY = {"only", "just", "nothing", "purely"}
MIDDLE = re.compile(r"\b(in the middle|halfway( through)?|midway( through)?|in between)\b")
START = re.compile(r"\b(to (start|open|begin)|at the (start|beginning)|first|start with|open with|begin with|before the music)\b")
END = re.compile(r"\b(at the end|to (finish|close|end)|finish with|end with|close with|afterwards|after the music|last)\b")
MUSIC_WORDS = re.compile(r"\b(music|songs?|tracks?|tunes?|playlist|mix|beats|something|anything|vibes|jams|bangers|"
                         r"hits|anthems|albums?)\b")
CONTAINERS = {"playlist", "playlists", "mix", "list", "queue", "lineup"}  # 'a podcast playlist', 'a mix of podcasts'
THEN_FILLER = {"a", "an", "the", "some", "and", "then", "play", "give", "me", "i", "want", "just", "only"}  # no content
DEFAULT_TALK_COUNT = 3  # episodes for a plural talk-only ask with no number and no length ('history podcasts')


@dataclass
class _Talk:
    start: int  # first character claimed
    end: int  # one past the last character claimed
    count: int | None = None
    topics: list[str] = field(default_factory=list)
    max_minutes: float | None = None
    only: bool = False
    plural: bool = False
    around: bool = False  # the prompt sets the episode against other content ('in the middle', 'then chill vibes')


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def _topic_at(words: list[str], i: int) -> tuple[int, str | None]:
    if i + 1 < len(words) and (words[i], words[i + 1]) in TWO_WORD_TOPICS:
        return 2, TWO_WORD_TOPICS[(words[i], words[i + 1])]
    return (1, TOPIC_WORDS[words[i]]) if i < len(words) and words[i] in TOPIC_WORDS else (1, None)


def _look_back(words: list[str], noun: int, talk: _Talk, spans: list[tuple[str, int, int]]) -> None:
    """Count, length and topic words before the noun ('one short news episode', 'a 10-minute tech podcast')."""
    i = noun - 1
    while i >= 0 and noun - i <= 6:
        w = words[i]
        pair = (words[i - 1], w) if i > 0 else None
        if pair in TWO_WORD_TOPICS:
            talk.topics.insert(0, TWO_WORD_TOPICS[pair])
            talk.start = spans[i - 1][1]
            i -= 2
            continue
        if w in TOPIC_WORDS:
            talk.topics.insert(0, TOPIC_WORDS[w])
        elif w in LENGTH_WORDS:
            talk.max_minutes = LENGTH_WORDS[w]
        elif m := re.fullmatch(r"(\d{1,3})-?min(ute)?s?", w):
            talk.max_minutes = float(m.group(1))
        elif w in NUMBERS or w.isdigit() and 0 < int(w) <= 20:
            talk.count = NUMBERS.get(w) or int(w)
        elif w == "of" and i > 0 and words[i - 1] in CONTAINERS:  # 'a playlist of podcasts': the list is the talk
            talk.start = spans[i - 1][1]
            talk.plural = True
            break
        elif w not in FILLER:
            break
        talk.start = spans[i][1]
        i -= 1


def _look_ahead(words: list[str], after: int, talk: _Talk, spans: list[tuple[str, int, int]]) -> None:
    """'podcasts about history', 'episodes on tech', 'podcasts only', 'a podcast playlist'."""
    i = after
    if i < len(words) and words[i] in CONTAINERS:  # a playlist of podcasts holds several
        talk.end = spans[i][2]
        talk.plural = True
        i += 1
    if i < len(words) and words[i] in ("about", "on") and _topic_at(words, i + 1)[1]:
        n, topic = _topic_at(words, i + 1)
        talk.topics.append(topic or "")
        talk.end = spans[i + n][2]
        i += 1 + n
    if i < len(words) and words[i] in ONLY:
        talk.only = True
        talk.end = spans[i][2]


def _talk_phrases(text: str) -> list[_Talk]:
    spans = _tokens(text)
    words = [w for w, _, _ in spans]
    out: list[_Talk] = []
    i = 0
    while i < len(words):
        two = i + 1 < len(words) and (words[i], words[i + 1]) in TWO_WORD_NOUNS
        if words[i] in NOUNS or two:
            last = i + 1 if two else i
            while last + 1 < len(words) and words[last + 1] in NOUNS:  # 'podcast episodes', 'talk show episodes'
                last += 1
            talk = _Talk(start=spans[i][1], end=spans[last][2], plural=words[last].endswith("s"))
            _look_back(words, i, talk, spans)
            _look_ahead(words, last + 1, talk, spans)
            if i > 0 and words[i - 1] in ONLY or i > 1 and words[i - 2] in ONLY:
                talk.only = True
            talk.topics = list(dict.fromkeys(talk.topics))
            out.append(talk)
            i = last + 1
        else:
            i += 1
    return out


def _content(text: str) -> bool:
    """Words other than filler: something the listener asked to hear besides the episode."""
    return any(w not in THEN_FILLER for w, _, _ in _tokens(text) if w[0].isalnum())


def _position(text: str, talk: _Talk, before_limit: int, after_limit: int) -> TalkPosition:
    """Where the listener put the episode: an explicit phrase near it, 'X then Y', else the order of mention.
    Sets talk.around when the placement is against something that is not another episode."""
    after = text[talk.end:after_limit][:40]
    before = text[before_limit:talk.start][-30:]
    near = before + " " + after
    if MIDDLE.search(near):
        talk.around = True  # the middle of something: music on both sides
        return "middle"
    if END.search(after) or END.search(before):
        return "end"
    if START.search(after) or START.search(before):
        return "start"
    if m := re.match(r"\s*[,;:]?\s*(and )?then\b", after):
        talk.around = _content(text[talk.end + m.end():after_limit])
        return "start"
    if m := re.search(r"\bthen\s*$", before):
        talk.around = _content(text[before_limit:talk.start - len(before) + m.start()])
        return "end"
    return "start" if not re.search(r"[a-z0-9]", re.sub(r"\b(a|an|the|play|give|me|i|want|some|just|only)\b", "", text[:talk.start])) else "end"


def _position_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The position words near a talk phrase, so they do not reach the music query."""
    out = []
    for rx in (MIDDLE, START, END, re.compile(r"\bthen\b")):
        for m in rx.finditer(text, max(0, start - 30), min(len(text), end + 40)):
            out.append((m.start(), m.end()))
    return out


@dataclass
class FormatDraft:
    """What the prompt says about talk, before knowing whether it also asks for music."""

    slots: list[tuple[_Talk, TalkPosition]] = field(default_factory=list)
    music_words: bool = False

    @property
    def talk_only(self) -> bool:
        return any(t.only for t, _ in self.slots)

    def asks_music(self, music: bool) -> bool:
        """A music word, named music (music: a genre, an artist, a tempo) or an episode set against other content.
        Moods and occasions are not enough: they fit a podcast as well as a song."""
        return music or self.music_words or any(t.around for t, _ in self.slots)

    def plan(self, music: bool) -> FormatPlan:
        """music: the rest of the prompt names music (genres, artists, a tempo). No talk phrase → music only;
        talk phrases and no music asked → talk only, episodes fill the playlist."""
        if not self.slots:
            return FormatPlan()
        kind = "mixed" if self.asks_music(music) and not self.talk_only else "talk"
        out: list[TalkSlot] = []
        for talk, position in self.slots:
            plural = kind == "talk" and talk.count is None and talk.plural
            for _ in range(talk.count or (DEFAULT_TALK_COUNT if plural else 1)):
                out.append(TalkSlot(position=position, topics=talk.topics, max_minutes=talk.max_minutes,
                                    query=" ".join(talk.topics)))
        return FormatPlan(kind=kind, talk=out[:20])


def read_format(marker) -> FormatDraft:
    """Find talk phrases in a planner Marker (agent.planner.quantities) and claim them with their position words."""
    text = marker.text
    phrases = [t for t in _talk_phrases(text) if marker.free(t.start, t.end)]
    draft = FormatDraft()
    for n, talk in enumerate(phrases):
        before = phrases[n - 1].end if n else 0
        after = phrases[n + 1].start if n + 1 < len(phrases) else len(text)
        draft.slots.append((talk, _position(text, talk, before, after)))
    for talk in phrases:
        for s, e in [(talk.start, talk.end), *_position_spans(text, talk.start, talk.end)]:
            if marker.free(s, e):
                marker.claim(s, e, True)
    if phrases:
        rest = "".join(ch if not marker.used[i] else " " for i, ch in enumerate(text))
        draft.music_words = bool(MUSIC_WORDS.search(rest))
    return draft


def parse_format(prompt: str) -> FormatPlan:
    """The format plan of a prompt on its own (music words only, no catalog): for checks outside the planner."""
    return read_format(Marker(normalise(prompt))).plan(music=False)
