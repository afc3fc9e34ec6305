"""The talk catalog build: the six podcast files in data/raw → one list of `TalkItem` episodes.

Sources (data/raw/SOURCES.md §8-13): Spotify show objects with a show-level explicit flag and the search
keyword that found them (§10) and their episode titles (§11); Spotify shows by category (§12, topics only:
it lists no episodes); the latest episodes of top US shows (§13); Listen Notes shows and episodes with
durations and descriptions (§8-9). Explicit status is the show's flag where §10 gives one, unknown
elsewhere; durations are known only for Listen Notes episodes; no show keeps more than MAX_PER_SHOW episodes."""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import html
import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.types import Explicit
from tools.normalize import clean_text, fold

MAX_PER_SHOW = 25
MAX_DESCRIPTION = 300
SOURCE_FILES = ("podcast_shows_spotify_explicit_2024.csv.gz", "podcast_episode_titles_spotify_2024.csv.gz",
                "podcast_shows_spotify_categories_2024.csv.gz", "podcast_episodes_spotify_top100_2024.csv.gz",
                "podcast_shows_listennotes_2017.csv.gz", "podcast_episodes_listennotes_2017.csv.gz")
NOT_TALK = re.compile(r"white noise|sound machine|sleep sounds|funny tiktoks", re.I)  # §13: shows that are not talk


class TalkItem(BaseModel):
    """One podcast episode in the talk catalog."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Spotify episode id; 'ln_<id>' for Listen Notes; 'top_<hash>' for §13 episodes (no id given).")
    show: str = Field(description="Show name.")
    show_id: str = Field(description="Spotify show id, or 'ln_<id>' for Listen Notes shows.")
    title: str = Field(description="Episode title.")
    description: str = Field("", description="Episode description (else the show's), HTML stripped, truncated.")
    publisher: str = Field("", description="Publisher or author of the show.")
    language: str = Field("", description="Language code ('en', 'es', …); empty when unknown.")
    topics: list[str] = Field(default_factory=list, description="Normalised topics (see TOPICS), most specific first.")
    explicit: Explicit = Field(None, description="The show's explicit flag; null where no source gives it.")
    duration_ms: int | None = Field(None, description="Length in milliseconds; None when unknown.")
    source: str = Field(description="spotify-2024, spotify-top-2024 or listennotes-2017.")


# --------------------------------------------------------------------------- topics

TOPICS = ("true crime", "comedy", "news", "politics", "sports", "business", "technology", "health", "science",
          "history", "religion", "education", "culture", "society", "music", "family", "fiction", "books",
          "film & tv", "pop culture", "games", "lifestyle", "relationships", "food", "meditation")
_LABELS: dict[str, tuple[str, ...]] = {
    # §10 search keywords and §12 category labels
    "arts & entertainment": ("culture",), "books": ("books",), "fitness & nutrition": ("health",),
    "design": ("culture",), "fiction": ("fiction",), "outdoor": ("lifestyle",), "comedy": ("comedy",),
    "business": ("business",), "parenting": ("family",), "celebrities": ("pop culture",), "marketing": ("business",),
    "careers": ("business",), "film": ("film & tv",), "tv": ("film & tv",), "games": ("games",),
    "video games": ("games",), "government": ("politics",), "food": ("food",), "language": ("education",),
    "beauty": ("lifestyle",), "economics": ("business",), "educational": ("education",), "true crime": ("true crime",),
    "stories": ("fiction",), "history": ("history",), "literature": ("books",), "philosophy": ("society",),
    "news & politics": ("news", "politics"), "sex": ("relationships",), "finance": ("business",),
    "hobbies": ("lifestyle",), "meditation podcasts": ("meditation",), "health": ("health",),
    "relationships": ("relationships",), "business & technology": ("business", "technology"),
    "pop culture": ("pop culture",), "self-care": ("health",), "science": ("science",), "fashion": ("lifestyle",),
    "lifestyle": ("lifestyle",), "technology": ("technology",), "politics": ("politics",), "sports": ("sports",),
    "sports & recreation": ("sports",), "lifestyle & health": ("health", "lifestyle"), "entertainment": ("culture",),
    "education": ("education",), "culture": ("culture",),
    # §8 iTunes categories
    "religion & spirituality": ("religion",), "christianity": ("religion",), "spirituality": ("religion",),
    "judaism": ("religion",), "buddhism": ("religion",), "islam": ("religion",), "society & culture": ("society",),
    "personal journals": ("society",), "places & travel": ("lifestyle",), "tv & film": ("film & tv",),
    "management & marketing": ("business",), "investing": ("business",), "business news": ("business", "news"),
    "non-profit": ("business",), "music": ("music",), "arts": ("culture",), "performing arts": ("culture",),
    "visual arts": ("culture",), "fashion & beauty": ("lifestyle",), "alternative health": ("health",),
    "self-help": ("health",), "sexuality": ("relationships",), "medicine": ("health",), "national": ("news",),
    "regional": ("news",), "local": ("news",), "government & organizations": ("politics",), "training": ("education",),
    "higher education": ("education",), "k-12": ("education",), "language courses": ("education",),
    "educational technology": ("education", "technology"), "tech news": ("technology", "news"),
    "gadgets": ("technology",), "podcasting": ("technology",), "software how-to": ("technology",),
    "games & hobbies": ("games",), "other games": ("games",), "automotive": ("lifestyle",),
    "science & medicine": ("science",), "natural sciences": ("science",), "social sciences": ("science",),
    "kids & family": ("family",), "professional": ("sports",), "amateur": ("sports",),
    "college & high school": ("sports",), "baseball": ("sports",), "hockey": ("sports",), "football": ("sports",),
    "basketball": ("sports",), "soccer": ("sports",), "rugby": ("sports",), "tennis": ("sports",),
    "boxing": ("sports",), "mma": ("sports",), "wrestling": ("sports",), "running": ("sports",),
}
_INFER = (("true crime", r"true crime|murder|serial killer"), ("comedy", r"comed|funny|laugh"),
          ("news", r"\bnews\b|headlines"), ("politics", r"politic"), ("sports", r"\bsports?\b|\bnfl\b|\bnba\b"),
          ("business", r"business|entrepreneur|invest"), ("technology", r"\btech"), ("health", r"health|wellness"),
          ("science", r"science"), ("history", r"history"), ("religion", r"\bfaith\b|\bbible\b|\bchurch\b|sermon"),
          ("pop culture", r"pop culture|celebrit"), ("relationships", r"relationship|dating"))


def topics_for(labels: list[str]) -> list[str]:
    """Source labels → normalised topics, in label order, each once."""
    out: list[str] = []
    for label in labels:
        out.extend(_LABELS.get(clean_text(label).lower(), ()))
    return list(dict.fromkeys(out))


def inferred_topics(text: str) -> list[str]:
    """Topics named in a show's own name and description, for shows no source labels."""
    return [topic for topic, pattern in _INFER if re.search(pattern, text, re.I)]


# --------------------------------------------------------------------------- text cleaning


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """HTML tags and entities removed, whitespace collapsed, cut at a word boundary."""
    text = html.unescape(text or "")
    if "<" in text:
        parser = _Text()
        parser.feed(text)
        parser.close()
        text = " ".join(parser.parts)
    text = clean_text(text)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


LANGUAGE_CODES = {"english": "en", "german": "de", "spanish": "es", "french": "fr", "dutch": "nl", "italian": "it",
                  "russian": "ru", "portuguese": "pt", "chinese": "zh", "turkish": "tr", "swedish": "sv", "polish": "pl"}


def language_code(value: str) -> str:
    """'English' → 'en', "['en-US']" → 'en'; empty when unknown."""
    value = (value or "").strip()
    if value.startswith("["):
        try:
            value = (ast.literal_eval(value) or [""])[0]
        except (ValueError, SyntaxError):
            return ""
    value = value.lower()
    return LANGUAGE_CODES.get(value, value.split("-")[0] if len(value.split("-")[0]) == 2 else "")


def _rows(raw: Path, name: str) -> Iterator[dict[str, str]]:
    with gzip.open(raw / name, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


# --------------------------------------------------------------------------- shows


class Show(BaseModel):
    """What the show files say about one show."""

    id: str
    name: str
    publisher: str = ""
    description: str = ""
    language: str = ""
    explicit: Explicit = None
    labels: list[str] = Field(default_factory=list)


def spotify_shows(raw: Path) -> dict[str, Show]:
    """§10 (explicit flag, language, keyword) merged with §12 (category labels) by show id."""
    shows: dict[str, Show] = {}
    for r in _rows(raw, SOURCE_FILES[0]):
        shows[r["Podcast_ID"]] = Show(
            id=r["Podcast_ID"], name=clean_text(r["Name"]), publisher=clean_text(r["Publisher"]),
            description=plain(r["Description"]), language=language_code(r["Languages"]),
            explicit=True if r["Explicit"] == "True" else False if r["Explicit"] == "False" else None,
            labels=[r["Search_Keyword"]])
    for r in _rows(raw, SOURCE_FILES[2]):
        labels = r["Categories"].split("|") + r["Parent_Categories"].split("|")
        if r["ID"] in shows:
            old = shows[r["ID"]]
            shows[r["ID"]] = old.model_copy(update={"labels": old.labels + labels})
        else:
            shows[r["ID"]] = Show(id=r["ID"], name=clean_text(r["Podcast_Name"]), publisher=clean_text(r["Publisher"]),
                                  description=plain(r["Description"]), labels=labels)
    return shows


def show_topics(show: Show) -> list[str]:
    return topics_for(show.labels) or inferred_topics(f"{show.name} {show.description}")


def _item(show: Show, episode_id: str, title: str, description: str, source: str, language: str = "",
          duration_ms: int | None = None) -> TalkItem:
    return TalkItem(id=episode_id, show=show.name, show_id=show.id, title=clean_text(title),
                    description=plain(description) or show.description, publisher=show.publisher,
                    language=show.language or language, topics=show_topics(show), explicit=show.explicit,
                    duration_ms=duration_ms, source=source)


def spotify_episodes(raw: Path, shows: dict[str, Show]) -> Iterator[TalkItem]:
    """§11: titles only; the rest comes from the show (every row resolves to §10)."""
    for r in _rows(raw, SOURCE_FILES[1]):
        show = shows.get(r["Podcast_ID"])
        if show is not None and r["Name"].strip():
            yield _item(show, r["Episode_ID"], r["Name"], "", "spotify-2024")


def top_episodes(raw: Path, shows: dict[str, Show]) -> Iterator[TalkItem]:
    """§13: no episode id, so the id hashes show id and title; the chart is of US shows with English texts."""
    for r in _rows(raw, SOURCE_FILES[3]):
        show = shows.get(r["Podcast_ID"]) or Show(id=r["Podcast_ID"], name=clean_text(r["Podcast_Name"]))
        if not show.description:
            show = show.model_copy(update={"description": plain(r["Show_Description"])})
        if NOT_TALK.search(show.name) or not r["Episode_Name"].strip():
            continue
        digest = hashlib.sha1(f"{r['Podcast_ID']}|{r['Episode_Name']}".encode()).hexdigest()[:16]
        yield _item(show, f"top_{digest}", r["Episode_Name"], r["Episode_Description"], "spotify-top-2024", language="en")


def listennotes_items(raw: Path) -> Iterator[TalkItem]:
    """§8-9: durations in seconds (0 = unknown), iTunes categories, language words; newest episodes first."""
    shows = {r["id"]: Show(id=f"ln_{r['id']}", name=clean_text(r["title"]), publisher=clean_text(r["author"]),
                           description=plain(r["description"]), language=language_code(r["language"]),
                           labels=r["categories"].split(" | ")) for r in _rows(raw, SOURCE_FILES[4])}
    rows = sorted(_rows(raw, SOURCE_FILES[5]), key=lambda r: (r["pub_date"], int(r["id"])), reverse=True)
    for r in rows:
        show = shows.get(r["podcast_id"])
        seconds = int(float(r["audio_length"] or 0))
        if show is not None and r["title"].strip():
            yield _item(show, f"ln_{r['id']}", r["title"], r["description"], "listennotes-2017",
                        duration_ms=seconds * 1000 if seconds > 0 else None)


def build_talk(raw: Path, max_per_show: int = MAX_PER_SHOW) -> list[TalkItem]:
    """Every episode of the six files, one per (show, title), at most max_per_show per show, in source order."""
    shows = spotify_shows(raw)
    per_show: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    out: list[TalkItem] = []
    for item in [*top_episodes(raw, shows), *spotify_episodes(raw, shows), *listennotes_items(raw)]:
        key = (item.show_id, fold(item.title))
        if not key[1] or key in seen or per_show[item.show_id] >= max_per_show:
            continue
        seen.add(key)
        per_show[item.show_id] += 1
        out.append(item)
    return out


def talk_text(item: TalkItem) -> str:
    """The embedded text: short, so the show, the title and the topics dominate the vector."""
    topics = ", ".join(item.topics[:3])
    return f"{item.show} — {item.title}. {topics}".strip()[:300]
