"""Taste profiles in words: the readable explanation (`segue profile show`) and the compact summary for the
agent's tool. Each function reads a TasteProfile (tools.profiles) by its fields."""

from __future__ import annotations

from typing import Any

LEVELS = ((0.2, "very low"), (0.4, "low"), (0.6, "medium"), (0.8, "high"), (1.01, "very high"))
EXPLICIT_LEVELS = ((0.05, "rarely"), (0.35, "sometimes"), (0.65, "often"), (1.01, "mostly"))
SHOWN_FEATURES = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness")


def level(value: float) -> str:
    return next(word for bound, word in LEVELS if value < bound)


def tempo_word(bpm: float) -> str:
    return "slow" if bpm < 90 else "mid-tempo" if bpm < 115 else "fast" if bpm < 140 else "very fast"


def feature_words(profile: Any) -> dict[str, str]:
    """Feature → 'high (0.62–0.88)': the mean in words and the usual range (mean ± one std)."""
    out: dict[str, str] = {}
    for name in SHOWN_FEATURES:
        stat = profile.features.get(name)
        if stat:
            lo, hi = max(0.0, stat.mean - stat.std), min(1.0, stat.mean + stat.std)
            out[name] = f"{level(stat.mean)} ({lo:.2f}–{hi:.2f})"
    tempo = profile.features.get("tempo")
    if tempo:
        out["tempo"] = f"{tempo_word(tempo.mean)} ({tempo.mean - tempo.std:.0f}–{tempo.mean + tempo.std:.0f} BPM)"
    return out


def explicit_words(share: float | None) -> str:
    """The explicit share of the plays in words, for the agent's summary (a listening habit, not a setting)."""
    if share is None:
        return "unknown"
    if share == 0:
        return "no explicit plays of known status"
    return f"{next(word for bound, word in EXPLICIT_LEVELS if share < bound)} explicit ({share:.0%})"


def explicit_line(p: Any) -> str:
    """What the plays say about explicit tracks, with their counts, and whether a clean-only setting is on."""
    known = p.clean_plays + p.explicit_plays
    unknown = max(0, p.plays - known)
    if not known:
        said = "not known: no track played has a known explicit status"
    elif not p.explicit_plays:
        said = f"none of {_count(known, 'play')} {'was' if known == 1 else 'were'} explicit"
    else:
        said = f"{p.explicit_plays:,} of {_count(known, 'play')} ({p.explicit_plays / known:.0%}) were explicit"
    if unknown and known:
        said += f", {unknown:,} more of unknown status"
    on = p.policy is not None and p.policy.explicit == "exclude"
    return f"Explicit plays: {said} ({'clean-only setting on' if on else 'no clean-only setting'})."


def discovery_words(value: float) -> str:
    return "familiar hits" if value < 0.35 else "balanced" if value < 0.6 else "discovery, deep cuts"


def blocked_dict(policy: Any) -> dict[str, Any]:
    if policy is None:
        return {}
    out: dict[str, Any] = {"artists": policy.blocked_artists, "genres": policy.blocked_genres}
    return out | ({"explicit": "excluded"} if policy.explicit == "exclude" else {})


def profile_summary(p: Any) -> dict[str, Any]:
    """Top 5 genres and artists, the sound in words, explicit and discovery leaning, blocked items."""
    out: dict[str, Any] = {"user_id": p.user_id, "cold_start": p.cold_start, "history": p.history_size}
    if p.history_size:
        out |= {
            "top_genres": [g for g, v in p.genre_affinities.items() if v > 0][:5],
            "top_artists": [a for a, v in p.artist_affinities.items() if v > 0][:5],
            "sound": feature_words(p), "explicit": explicit_words(p.explicit_share),
            "leaning": discovery_words(p.discovery),
        }
    blocked = blocked_dict(p.policy)
    return out | ({"blocked": blocked} if blocked else {})


def explain_lines(p: Any) -> list[str]:
    if p.history_size == 0:
        lines = [f"{p.user_id}: cold start — no listening history yet, so nothing is personalised."]
    else:
        state = "cold start (too little history to personalise)" if p.cold_start else "personalised"
        counts = ", ".join(_count(n, w) for n, w in ((p.plays, "play"), (p.likes, "like"), (p.skips, "skip")))
        lines = [f"{p.user_id}: {_count(p.history_size, 'event')} ({counts}), "
                 f"{_count(p.distinct_tracks, 'distinct track')} — {state}."]
        lines += _affinity_lines(p)
        lines += [f"  {name}: {words}" for name, words in feature_words(p).items()]
        lines.append(explicit_line(p))
        lines.append(f"Leaning: {discovery_words(p.discovery)} (discovery {p.discovery:.2f}).")
        if p.active_hours:
            lines.append("Usually listens around " + ", ".join(f"{h:02d}:00" for h in p.active_hours) + " UTC.")
    blocked = blocked_dict(p.policy)
    if blocked:
        parts = [f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in blocked.items() if v]
        lines.append("Blocked — " + "; ".join(parts) + ".")
    return lines


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _affinity_lines(p: Any) -> list[str]:
    def fmt(items: dict[str, float], positive: bool) -> str:
        chosen = [(k, v) for k, v in items.items() if (v > 0) == positive][:5 if positive else 3]
        return ", ".join(f"{k} ({v:+.2f})" for k, v in chosen)

    lines = [f"Top genres: {fmt(p.genre_affinities, True) or '—'}",
             f"Top artists: {fmt(p.artist_affinities, True) or '—'}"]
    skipped = fmt(p.genre_affinities, False)
    if skipped:
        lines.append(f"Skipped genres: {skipped}")
    return lines + ["Sound:"]
