"""Typed models at every stage boundary: PlaylistSpec, Playlist and its parts (catalog types live in core.types)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from core.types import (  # noqa: F401  (re-exported for the API models' users)
    FEATURES,
    Candidate,
    Explicit,
    ExplicitPolicy,
    Feature,
    FilteredItem,
    SearchFilters,
    Track,
    Usage,
)

if TYPE_CHECKING:
    from tools.talk_build import TalkItem

# Free text that has to say something: surrounding whitespace is dropped first, so a blank text is refused
# exactly like an empty one; the pattern tells API clients the same.
NON_BLANK = StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S")

MAX_COUNT = 100  # the most tracks one playlist holds

Arc = Literal["rise", "fall", "steady", "peak", "wave", "rise_fall"]

# --------------------------------------------------------------------------- prompt → spec

NarrationStyle = Literal["radio", "brief", "none"]
TalkPosition = Literal["start", "middle", "end"]


class TalkSlot(BaseModel):
    """One podcast episode the prompt asks for, and where it goes."""

    model_config = ConfigDict(extra="forbid")

    position: TalkPosition = Field("start", description="start = before the music, middle = halfway through, end = after it.")
    topics: list[str] = Field(default_factory=list, description="Wanted talk topics ('news', 'true crime', 'comedy').")
    max_minutes: float | None = Field(None, gt=0, le=600, description="Longest allowed episode ('short' = 20 min).")
    query: str = Field("", description="Free text for the episode search.")


class FormatPlan(BaseModel):
    """Music only (the default), talk only, or music mixed with episodes at given positions."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["music", "talk", "mixed"] = Field("music", description="What the playlist holds.")
    talk: list[TalkSlot] = Field(default_factory=list, description="The episodes asked for (talk and mixed).")


class PlaylistSpec(BaseModel):
    """How Segue understood a prompt. Hard constraints are enforced in code; soft preferences steer ranking."""

    model_config = ConfigDict(extra="forbid")

    # hard constraints
    count: int | None = Field(None, ge=1, le=MAX_COUNT, description="Exact number of tracks. Default 20 when neither count nor minutes is given.")
    minutes: float | None = Field(None, ge=1, le=600, description="Target total length in minutes (met within ±3%).")
    explicit: ExplicitPolicy = Field("allow", description="exclude drops explicit tracks and tracks of unknown status.")
    kid_safe: bool = Field(False, description="Kids or family listening: beyond clean, no track whose title names drugs, "
                           "violence, death, sex or profanity, nor from genres such songs come from (tools/kid_safe.py).")
    exclude_artists: list[str] = Field(default_factory=list, description="Artists never to play (featured credits included).")
    exclude_genres: list[str] = Field(default_factory=list, description="Genres never to play (matched as whole words: 'country' also drops 'contemporary country').")
    year_min: int | None = Field(None, ge=1900, le=2100, description="Earliest release year.")
    year_max: int | None = Field(None, ge=1900, le=2100, description="Latest release year.")
    tempo_min: float | None = Field(None, ge=0, le=300, description="Lowest tempo in BPM.")
    tempo_max: float | None = Field(None, ge=0, le=300, description="Highest tempo in BPM.")
    max_track_minutes: float | None = Field(None, gt=0, le=60, description="Longest allowed single track.")
    only_artists: list[str] = Field(default_factory=list, description="'only X', 'nothing but X': every track credits one of these artists (featured credits count).")
    instrumental: bool = Field(False, description="'no vocals', 'instrumental': every track is instrumental (see agent/wishes.py for the thresholds).")
    count_asked: int | None = Field(None, ge=1, description="The count the prompt asked for when it is above the 100 tracks Segue returns (count is then 100).")
    # soft preferences
    genres: list[str] = Field(default_factory=list, description="Wanted genres (catalog genre vocabulary).")
    seed_artists: list[str] = Field(default_factory=list, description="Artists to sound like ('like Phoebe Bridgers').")
    unknown_artists: list[str] = Field(default_factory=list, description="Names asked for ('songs like Meredith "
                                       "Brooks') that the catalog does not hold: reported, not searched.")
    moods: list[str] = Field(default_factory=list, description="Mood/activity/setting words recognised from the lexicon (e.g. 'workout', 'rainy').")
    feature_targets: dict[Feature, float] = Field(default_factory=dict, description="Target audio features 0-1 derived from moods.")
    tempo_target: float | None = Field(None, ge=0, le=300, description="Preferred tempo in BPM ('around 128 bpm').")
    tempo_soft_min: float | None = Field(None, ge=0, le=300, description="Preferred lowest tempo in BPM from tempo words "
                                         "('fast' → 140): a soft preference, never a filter.")
    tempo_soft_max: float | None = Field(None, ge=0, le=300, description="Preferred highest tempo in BPM from tempo words "
                                         "('slow' → 100): a soft preference, never a filter.")
    arc: Arc | None = Field(None, description="Energy shape over the playlist; None = a gentle rise then fall.")
    discovery: float = Field(0.5, ge=0, le=1, description="0 = familiar hits, 1 = deep cuts and new artists.")
    classics: bool = Field(False, description="'country classics', 'classic hip hop': lean to the older songs of the "
                           "asked genres (a soft preference, never a year filter; 'classic rock' is a genre of its own).")
    taste_weight: float = Field(0.5, ge=0, le=1, description="How much the listener's taste profile counts.")
    query: str = Field("", description="Free text for semantic search (what is left after parsing, or a rewrite).")
    narration: NarrationStyle = Field("radio", description="radio = intro, bridges, outro; brief = intro only; none.")
    format: FormatPlan = Field(default_factory=FormatPlan, description="Music only (default), talk only or mixed.")

    def target_count(self) -> int | None:
        """How many songs to pick: the count asked, else 20 unless minutes set the length. A talk-only playlist
        picks no songs: its slots, its count or its minutes decide how many episodes (agent/talk_slots.py)."""
        if self.format.kind == "talk":
            return None
        return self.count if self.count is not None else (None if self.minutes else 20)


# --------------------------------------------------------------------------- response

def _fraction(what: str, default: Any = ...) -> Any:
    return Field(default, ge=0, le=1, description=f"{what}, 0-1; null for talk episodes.")


class PlaylistTrack(BaseModel):
    """One entry of a playlist: a catalog track, or a podcast episode (kind talk: no audio features, so every
    audio field is null)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # every field is always sent

    position: int = Field(description="1-based position in the sequence.")
    id: str
    title: str
    artists: list[str]
    album: str
    year: int | None
    genres: list[str]
    explicit: Explicit = Field(description="true or false when a source says so, null when none does; "
                                           "the clean policy keeps only false.")
    duration_ms: int = Field(description="Length in milliseconds (0 for an episode of unknown length).")
    tempo: float | None = Field(description="Beats per minute (0 = no detectable beat); null for talk episodes.")
    key: int | None = Field(description="Pitch class 0=C … 11=B; null for talk episodes.")
    mode: int | None = Field(description="1 major, 0 minor; null for talk episodes.")
    camelot: str | None = Field(description="Camelot wheel code, e.g. '8B'; null for talk episodes.")
    energy: float | None = _fraction("Intensity and activity")
    valence: float | None = _fraction("Musical positiveness (high = happy, low = sad or angry)")
    danceability: float | None = _fraction("How suitable for dancing")
    acousticness: float | None = _fraction("Confidence the track is acoustic", None)
    instrumentalness: float | None = _fraction("Likelihood the track has no vocals", None)
    speechiness: float | None = _fraction("Presence of spoken words (above 0.66: mostly speech)", None)
    loudness: float | None = Field(None, description="Mean loudness in dB relative to full scale (about -60 to 0; "
                                                     "a few masters are slightly above 0); null for talk episodes.")
    why: str = Field(description="Why this track, built only from facts.")
    kind: Literal["music", "talk"] = Field("music", description="talk = a podcast episode (artists = publisher, album = show).")
    features_from: Literal["catalog", "audio"] | None = Field(
        "catalog", description="catalog = the reference catalog's features; audio = an owned track the catalog does "
        "not hold, whose tempo, key, mode, camelot, energy and loudness are estimates from its file (its other "
        "features are null); null for talk episodes.")
    show: str | None = Field(None, description="The show of a talk episode.")

    @classmethod
    def of_track(cls, position: int, t: Track, why: str) -> PlaylistTrack:
        """A catalog track; for one known from its audio, only the estimated fields (the rest null)."""
        known = t.features_from == "catalog"
        return cls(position=position, id=t.id, title=t.title, artists=list(t.artists), album=t.album, year=t.year,
                   genres=list(t.genres[:6]), explicit=t.explicit, duration_ms=t.duration_ms, tempo=t.tempo,
                   key=t.key, mode=t.mode, camelot=t.camelot, energy=t.energy,
                   valence=t.valence if known else None, danceability=t.danceability if known else None,
                   acousticness=t.acousticness if known else None,
                   instrumentalness=t.instrumentalness if known else None,
                   speechiness=t.speechiness if known else None, loudness=t.loudness, why=why,
                   features_from=t.features_from)

    @classmethod
    def of_talk(cls, position: int, item: TalkItem, why: str) -> PlaylistTrack:
        """A podcast episode as a playlist entry: artists = publisher, album = show, genres = topics,
        duration_ms 0 when its length is unknown, every audio field null."""
        return cls(position=position, id=item.id, title=item.title, artists=[item.publisher or item.show],
                   album=item.show, year=None, genres=list(item.topics), explicit=item.explicit,
                   duration_ms=item.duration_ms or 0, tempo=None, key=None, mode=None, camelot=None, energy=None,
                   valence=None, danceability=None, why=why, kind="talk", show=item.show, features_from=None)


class Segment(BaseModel):
    kind: Literal["intro", "bridge", "outro"]
    before_position: int = Field(description="Spoken before this track position (outro: count + 1).")
    text: str


class ConstraintReport(BaseModel):
    name: str = Field(description="e.g. count, duration, explicit, exclude_artists, exclude_genres, no_duplicates, in_catalog.")
    target: str
    actual: str
    met: bool
    note: str = ""


class SavedPlaylist(BaseModel):
    """Where a playlist was saved: a Subsonic server playlist (its id) or a playlist file."""

    library: str
    kind: Literal["subsonic", "m3u8"]
    id: str | None = Field(None, description="The Subsonic playlist id.")
    path: str | None = Field(None, description="The playlist file written (folder libraries).")
    updated: bool = Field(False, description="True when an earlier save of this playlist (or its parent) was replaced.")
    tracks: int = 0


class Playlist(BaseModel):
    """The response of `POST /generate` and `segue generate --json`."""

    id: str
    prompt: str
    spec: PlaylistSpec
    tracks: list[PlaylistTrack]
    segments: list[Segment]
    constraints: list[ConstraintReport]
    filtered: list[FilteredItem]
    degraded: bool = False
    degraded_reason: str | None = None
    provider: str
    prompt_version: str = "v1"
    user_id: str | None = None
    usage: Usage = Field(default_factory=Usage)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    library: str | None = Field(None, description="The library every track is owned in, when one was asked for.")
    saved: SavedPlaylist | None = Field(None, description="Where the playlist was saved (`--save`).")


class DiffItem(BaseModel):
    """One track of a diff between two versions of a playlist."""

    id: str
    title: str
    artists: list[str]
    reason: str = Field(description="Why it was kept, added or removed.")


class PlaylistDiff(BaseModel):
    kept: list[DiffItem] = Field(default_factory=list)
    added: list[DiffItem] = Field(default_factory=list)
    removed: list[DiffItem] = Field(default_factory=list)


def _prompt_versions() -> list[str]:
    from agent.prompts import versions

    return versions()


PROMPT_VERSIONS = _prompt_versions()  # for the API schema; an unknown version is still refused by agent.prompts


class GenerateRequest(BaseModel):
    """Input of the main job. Options given here override what the prompt says."""

    model_config = ConfigDict(extra="forbid")

    prompt: Annotated[str, NON_BLANK] = Field(max_length=2000, examples=["rainy Sunday coffee, mellow indie, no explicit, about 40 minutes"])
    user_id: str | None = Field(None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    count: int | None = Field(None, ge=1, le=100)
    minutes: float | None = Field(None, ge=1, le=600)
    allow_explicit: bool | None = Field(None, description="false forces the clean policy; true allows explicit unless the prompt or profile forbids it.")
    provider: Literal["offline", "openai"] | None = None
    prompt_version: str | None = Field(None, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$",
                                       description=f"Prompt version (prompts/<version>/): one of {', '.join(PROMPT_VERSIONS)}; "
                                                   "default from SEGUE_PROMPT_VERSION.", examples=PROMPT_VERSIONS)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    exclude_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=500,
        description="Catalog track ids not to play (a prompted playlist's refresh leaves out what it played lately).")
    library: str | None = Field(None, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$",
                                description="Only tracks owned in this library (see `segue library list`).")
    save: bool = Field(False, description="Also save the playlist to `library` (a Subsonic playlist, or an M3U8 in a "
                       "folder library); the response's `saved` says where. Needs `library`. Not part of the playlist id.")

    @model_validator(mode="after")
    def _save_needs_library(self) -> GenerateRequest:
        if self.save and not self.library:
            from pydantic_core import PydanticCustomError

            raise PydanticCustomError("save_needs_library", "save needs a library to save to: set library too")
        return self
