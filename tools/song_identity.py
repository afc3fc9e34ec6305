"""Song identity: which tracks are versions of one song (remix, live take, edit, re-credited release).

Two tracks are the same song when their folded titles match (tools/normalize.py `norm_title`) and the lead artist
of one is credited on the other: listed, inside a combined credit ('College & Electric Youth' credits both), or
featured in the title. "Same song" is closed over chains (A ~ B and B ~ C make one song), and every track of a
song carries one key (`Track.song_key`), chosen from its members' own 'artist|title' keys so the choice does not
depend on the order of the catalog.

Why the lead artist and not any shared name: two different songs that share only a guest ('Bebé' by Ozuna with
Anuel AA, 'BEBE' by 6ix9ine with Anuel AA) stay apart, while a cover sung with the original artist, a remix
credited to the remixer or a re-credited duet ('A Real Hero' by 'College & Electric Youth' and by
['Electric Youth', 'College']) are one song."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from tools.normalize import clean_text, featured_artists, norm_artist, norm_title, song_key, split_artists

_CREDIT_FEAT = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s.*$", re.I)


def credited_names(title: str, artists: Sequence[str]) -> frozenset[str]:
    """Every normalised name a track credits: listed artists, the names inside combined credits, featured artists."""
    names = {norm_artist(a) for a in artists}
    names.update(p for a in artists for p in split_artists(a))
    names.update(featured_artists(title))
    return frozenset(n for n in names if n)


def lead_names(artists: Sequence[str]) -> frozenset[str]:
    """The lead artist's names: the first credit, and each name inside it before any 'feat.' part."""
    if not artists:
        return frozenset()
    first = clean_text(artists[0])
    names = {norm_artist(first), *split_artists(_CREDIT_FEAT.sub("", first))}
    return frozenset(n for n in names if n)


def same_song(a: tuple[str, Sequence[str]], b: tuple[str, Sequence[str]]) -> bool:
    """Two (title, artists) are one song: same folded title, and one's lead artist is credited on the other."""
    if norm_title(a[0]) != norm_title(b[0]):
        return False
    return bool(lead_names(a[1]) & credited_names(*b) or lead_names(b[1]) & credited_names(*a))


def song_groups(items: Sequence[tuple[str, Sequence[str]]]) -> list[int]:
    """A group number per (title, artists): items of one song share it (the smallest index in the group)."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    titles = [norm_title(title) for title, _ in items]
    crediting: dict[tuple[str, str], list[int]] = {}
    for n, (title, artists) in enumerate(items):
        for name in credited_names(title, artists):
            crediting.setdefault((titles[n], name), []).append(n)
    for n, (_, artists) in enumerate(items):
        for name in lead_names(artists):
            for other in crediting.get((titles[n], name), ()):
                a, b = root(n), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return [root(n) for n in range(len(items))]


def song_keys(items: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """One key per song for every (title, artists): its members' most common own key ('artist|title' of the
    lead artist), then the one whose artist most members credit, then the first in alphabetical order."""
    own = [song_key(artists[0] if artists else "", title) for title, artists in items]
    members: dict[int, list[int]] = {}
    for n, group in enumerate(song_groups(items)):
        members.setdefault(group, []).append(n)
    out = list(own)
    for rows in members.values():
        keys = {own[n] for n in rows}
        if len(keys) == 1:
            continue
        counts = Counter(own[n] for n in rows)
        credits = [credited_names(*items[n]) for n in rows]
        best = min(keys, key=lambda k: (-counts[k], -sum(k.split("|", 1)[0] in c for c in credits), k))
        for n in rows:
            out[n] = best
    return out


def key_aliases(titles: Sequence[str], artists: Sequence[Sequence[str]], keys: Sequence[str]) -> dict[str, str]:
    """'artist|title' for every name a catalog track credits → that track's song key: resolves an outside
    (artist, title) — a playlist row, a listening-history entry — to the catalog's song."""
    rows = list(zip(titles, artists, keys, strict=True))
    out = {song_key(names[0] if names else "", title): key for title, names, key in rows}  # a track's own key first
    for title, names, key in rows:
        for name in sorted(credited_names(title, names)):
            out.setdefault(f"{name}|{norm_title(title)}", key)
    return out
