"""One function per Home shelf, cheapest first. Each returns a shelf or None (nothing true to show); every
track shelf passes the listener's content policy (blocked artists and genres, clean-only) like a playlist."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np

from agent.deps import Deps
from agent.home.models import HomeItem, Shelf
from agent.models import SearchFilters, Track
from tools.content_filter import ContentPolicy, apply_policy
from tools.embeddings import normalise

SIZE = 10
Context = dict[str, Any]  # user_id, profile, policy, now, library: what every shelf may read


def track_item(t: Track, why: str = "") -> HomeItem:
    return HomeItem(kind="track", id=t.id, title=t.title, subtitle=", ".join(t.artists), why=why)


def allowed(tracks: list[Track], policy: ContentPolicy) -> list[Track]:
    return apply_policy(tracks, policy)[0]


def policy_filters(policy: ContentPolicy, **extra: Any) -> SearchFilters:
    return SearchFilters(explicit=policy.explicit, exclude_artists=list(policy.blocked_artists),
                         exclude_genres=list(policy.blocked_genres), **extra)


def prompted(ctx: Context, deps: Deps) -> Shelf | None:
    if deps.prompted is None:
        return None
    items = []
    for pp in deps.prompted.list_for(ctx["user_id"], versions=1):
        latest = pp.versions[0] if pp.versions else None
        size = f"{len(latest.playlist.tracks)} tracks · refreshed {latest.created_at:%b %d}" if latest else "not made yet"
        items.append(HomeItem(kind="prompted", id=pp.id, title=pp.prompt, subtitle=size,
                              why=f"your prompt, refreshed {pp.schedule}" if pp.schedule != "manual" else "your prompt"))
    return Shelf(id="prompted", title="Your prompted playlists", why="prompts you saved, refreshed with your listening",
                 items=items) if items else None


def jump_back_in(ctx: Context, deps: Deps) -> Shelf | None:
    if deps.profiles is None:
        return None
    recent = [t for t in (deps.catalog.get(i) for i in deps.profiles.recent_ids(ctx["user_id"], 3 * SIZE)) if t]
    tracks = allowed(recent, ctx["policy"])[:SIZE]
    return Shelf(id="jump_back_in", title="Jump back in", why="what you played most recently",
                 items=[track_item(t) for t in tracks]) if tracks else None


def top_artist(profile: Any, deps: Deps, policy: ContentPolicy) -> str | None:
    blocked = {a.lower() for a in policy.blocked_artists}
    for artist, weight in (getattr(profile, "artist_affinities", None) or {}).items():
        if weight > 0 and artist.lower() not in blocked and deps.catalog.artist_mask([artist]).any():
            return artist
    return None


def more_like(ctx: Context, deps: Deps) -> Shelf | None:
    """Tracks nearest the top artist's sound, by other artists."""
    artist = top_artist(ctx["profile"], deps, ctx["policy"])
    if artist is None:
        return None
    own = deps.catalog.artist_mask([artist])
    centre = normalise(deps.catalog.vectors[own].mean(axis=0)[None, :])[0]
    mask = deps.catalog.mask(policy_filters(ctx["policy"])) & ~own
    hits = deps.catalog.search_vector(centre, k=4 * SIZE, mask=mask)
    tracks = one_per_artist(allowed([c.track for c in hits], ctx["policy"]))[:SIZE]
    return Shelf(id="more_like", title=f"More like {artist}", why=f"{artist} is one of the artists you play most",
                 items=[track_item(t, f"sounds close to {artist}") for t in tracks]) if tracks else None


def one_per_artist(tracks: list[Track]) -> list[Track]:
    seen: set[str] = set()
    out = []
    for t in tracks:
        if t.artist.lower() not in seen:
            seen.add(t.artist.lower())
            out.append(t)
    return out


def neighbour_genre(theirs: list[str], deps: Deps, policy: ContentPolicy) -> tuple[str, str] | None:
    """(a genre often on the same tracks as one of theirs that they do not play, that one of theirs)."""
    known = {g.lower() for g in theirs} | {g.lower() for g in policy.blocked_genres}
    for mine in theirs[:3]:
        rows = np.flatnonzero(deps.catalog.genre_mask([mine]))[:3000]
        counts = Counter(g for r in rows for g in deps.catalog.genre_lists[r] if g.lower() not in known
                         and mine.lower() not in g.lower())
        if counts:
            return counts.most_common(1)[0][0], mine
    return None


def discover(ctx: Context, deps: Deps) -> Shelf | None:
    theirs = [g for g, w in (getattr(ctx["profile"], "genre_affinities", None) or {}).items() if w > 0]
    found = neighbour_genre(theirs, deps, ctx["policy"]) if theirs else None
    if found is None:
        return None
    genre, mine = found
    mask = deps.catalog.mask(policy_filters(ctx["policy"], genres=[genre]))
    rows = np.flatnonzero(mask)
    best = rows[np.argsort(-deps.catalog.popularity[rows], kind="stable")][:4 * SIZE]
    tracks = one_per_artist(allowed([deps.catalog.tracks[int(r)] for r in best], ctx["policy"]))[:SIZE]
    return Shelf(id="discover", title=f"Discover {genre}", why=f"{genre} is often found alongside {mine}, which you "
                 "play a lot", items=[track_item(t, genre) for t in tracks]) if tracks else None


def popular(ctx: Context, deps: Deps) -> Shelf | None:
    """For a listener Segue knows little about: the catalog's most popular tracks their settings allow."""
    if not getattr(ctx["profile"], "cold_start", True):
        return None
    rows = np.flatnonzero(deps.catalog.mask(policy_filters(ctx["policy"])))
    best = rows[np.argsort(-deps.catalog.popularity[rows], kind="stable")][:4 * SIZE]
    tracks = one_per_artist(allowed([deps.catalog.tracks[int(r)] for r in best], ctx["policy"]))[:SIZE]
    return Shelf(id="popular", title="Popular right now", why="you are new here: the catalog's most played tracks",
                 items=[track_item(t) for t in tracks]) if tracks else None


def daylist(ctx: Context, deps: Deps) -> Shelf | None:
    from agent.daylist import daylist as make

    library = ctx["library"][0] if ctx["library"] else None
    dl = make(ctx["user_id"], ctx["now"], deps, library=library)
    items = [HomeItem(kind="episode" if t.kind == "talk" else "track", id=t.id, title=t.title,
                      subtitle=t.show or ", ".join(t.artists), why=t.why) for t in dl.tracks]
    owned = f", from your library {library}" if library else ""
    return Shelf(id="daylist", title=dl.title, why=f"your daylist for {dl.at:%A} {dl.daypart}{owned}",
                 items=items) if items else None


def podcasts(ctx: Context, deps: Deps) -> Shelf | None:
    from tools.talk import TalkFilters
    from tools.talk_profile import taste_for

    topics = taste_for(ctx["user_id"], deps).top_topics(1)
    if not topics:
        return None
    found = deps.talk.search(topics[0], TalkFilters(explicit=ctx["policy"].explicit, topics=topics, languages=["en"]),
                             k=3 * SIZE)
    items, shows = [], set()
    for c in found:
        if c.item.show_id not in shows:
            shows.add(c.item.show_id)
            items.append(HomeItem(kind="episode", id=c.item.id, title=c.item.title, subtitle=c.item.show,
                                  why=f"{topics[0]} episode"))
    return Shelf(id="podcasts", title=f"Podcasts: {topics[0]}", why=f"you listen to {topics[0]} podcasts",
                 items=items[:SIZE]) if items else None


SHELVES: list[Callable[[Context, Deps], Shelf | None]] = [  # cheapest first: the first paints at once
    prompted, jump_back_in, popular, more_like, discover, daylist, podcasts]


def context(user_id: str, deps: Deps, now: datetime) -> Context:
    profile = deps.profiles.get_profile(user_id) if deps.profiles is not None else None
    from agent.library import listener_library

    policy = getattr(profile, "policy", None) or ContentPolicy()
    return {"user_id": user_id, "profile": profile, "policy": policy, "now": now,
            "library": listener_library(user_id, deps)}
