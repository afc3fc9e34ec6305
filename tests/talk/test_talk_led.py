"""Talk-led playlists: a prompt that asks for podcasts and names no music is episodes only, whatever the
occasion ('for my commute', 'for my run'); 'a podcast and some music' keeps the mix. The reports stay true:
an episode off the asked topic, or minutes the episodes of known length cannot fill, are reported unmet."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from agent.cli.playlist_view import show
from agent.generate import generate
from agent.models import GenerateRequest
from evals.metrics import hidden_shortfalls


@pytest.mark.parametrize(("prompt", "kind", "slots", "topics"), [
    ("podcasts about history for my commute", "talk", 3, ["history"]),
    ("a true crime podcast for my run", "talk", 1, ["true crime"]),
    ("true crime podcasts for my commute", "talk", 3, ["true crime"]),
    ("2 comedy podcast episodes", "talk", 2, ["comedy"]),
    ("make me a playlist of true crime podcasts", "talk", 3, ["true crime"]),
    ("a news episode then a comedy podcast", "talk", 2, None),
    ("chill podcasts for sleep", "talk", 3, []),
    ("news podcast and some chill music for breakfast", "mixed", 1, ["news"]),
    ("history podcasts and some jazz", "mixed", 1, ["history"]),
    ("a news episode then chill vibes", "mixed", 1, ["news"]),
    ("chill vibes then a comedy podcast", "mixed", 1, ["comedy"]),
    ("a podcast in the middle", "mixed", 1, []),
])
def test_podcasts_without_music_are_talk_only(deps, prompt, kind, slots, topics):
    from agent.planner.offline import parse_prompt

    spec = parse_prompt(prompt, deps.catalog)
    assert spec.format.kind == kind and len(spec.format.talk) == slots
    if topics is not None:
        assert all(s.topics == topics for s in spec.format.talk)
    assert "podcast" not in spec.query and "episode" not in spec.query


def test_history_podcasts_for_a_commute_are_history_episodes(talk_deps):
    pl = generate(GenerateRequest(prompt="podcasts about history for my commute"), talk_deps)
    assert [t.kind for t in pl.tracks] == ["talk"] * 3, [t.title for t in pl.tracks]
    assert all("history" in talk_deps.talk.get(t.id).topics for t in pl.tracks)
    assert len({t.show for t in pl.tracks}) == 3
    talk = [c for c in pl.constraints if c.name == "talk"]
    assert len(talk) == 3 and all(c.met and c.target == "history episode" for c in talk)
    assert not any(c.name == "count" for c in pl.constraints) and not hidden_shortfalls(pl)


def test_a_podcast_and_some_music_keeps_the_mix(talk_deps):
    pl = generate(GenerateRequest(prompt="news podcast and some chill music for breakfast", count=8), talk_deps)
    kinds = [t.kind for t in pl.tracks]
    assert kinds.count("talk") == 1 and kinds.count("music") == 8
    assert "news" in talk_deps.talk.get(pl.tracks[kinds.index("talk")].id).topics


def test_timed_podcasts_fill_the_minutes_with_full_episodes(talk_deps):
    pl = generate(GenerateRequest(prompt="some podcasts for a long drive, about 2 hours"), talk_deps)
    assert pl.tracks and all(t.kind == "talk" for t in pl.tracks)
    assert all(t.duration_ms > 0 for t in pl.tracks) and len({t.show for t in pl.tracks}) == len(pl.tracks)
    total = sum(t.duration_ms for t in pl.tracks) / 60000
    reports = {c.name: c for c in pl.constraints}
    assert reports["duration"].met == (abs(total - 120) <= 0.03 * 120) and reports["talk_known_length"].met
    clip = [t.duration_ms < 10 * 60000 for t in pl.tracks]
    assert clip.count(False) >= 2 and clip == sorted(clip)  # full episodes first; clips only close the last gap
    assert not hidden_shortfalls(pl)


def test_an_episode_off_the_asked_topic_is_reported_unmet(talk_deps):
    """No true-crime episode has a known length, so a timed true-crime request takes the nearest by description
    and says so for each of them."""
    assert not any("true crime" in i.topics and i.duration_ms for i in talk_deps.talk.items)
    pl = generate(GenerateRequest(prompt="true crime podcasts for a 30 minute run"), talk_deps)
    talk = [c for c in pl.constraints if c.name == "talk"]
    assert pl.tracks and all(t.kind == "talk" for t in pl.tracks) and len(talk) == len(pl.tracks)
    for c, t in zip(talk, pl.tracks, strict=True):
        assert c.met == ("true crime" in talk_deps.talk.get(t.id).topics)
        assert c.met or "true crime" in c.note
    assert not hidden_shortfalls(pl)


def test_minutes_the_episodes_cannot_fill_are_reported_with_a_reason(talk_deps):
    pl = generate(GenerateRequest(prompt="history podcasts for a 45 minute commute"), talk_deps)
    duration = next(c for c in pl.constraints if c.name == "duration")
    total = sum(t.duration_ms for t in pl.tracks) / 60000
    assert duration.met == (abs(total - 45) <= 0.03 * 45)
    assert duration.met or "known length" in duration.note
    assert not hidden_shortfalls(pl)


def test_the_header_of_a_talk_only_playlist(talk_deps):
    pl = generate(GenerateRequest(prompt="2 comedy podcast episodes"), talk_deps)
    out = Console(width=100, file=io.StringIO(), record=True, color_system=None)
    show(pl, out)
    first = out.export_text().splitlines()[0].rstrip()
    unknown = [t for t in pl.tracks if t.duration_ms <= 0]
    minutes = sum(t.duration_ms for t in pl.tracks) / 60000
    length = "length unknown" if unknown and minutes < 1 else ("at least " if unknown else "") + r"\d+ min"
    assert re.search(r"· 2 episodes · " + length + "$", first), first


def test_talk_share_and_a_hidden_talk_shortfall(talk_deps, catalog):
    from evals.scorers import ScoreContext, score, validate_args

    ctx = ScoreContext(catalog=catalog)
    talk = generate(GenerateRequest(prompt="podcasts about history for my commute"), talk_deps)
    mixed = generate(GenerateRequest(prompt="news podcast and some chill music for breakfast", count=9), talk_deps)

    def share(p, args):
        return score(p, "talk_share", validate_args("talk_share", args), ctx).status

    assert share(talk, {"min": 1.0, "topics": ["history"]}) == "pass"
    assert share(mixed, {"min": 0.5}) == "fail" and share(mixed, {"min": 0.1, "max": 0.1, "topics": ["news"]}) == "pass"
    assert share(mixed, {"min": 0.1, "topics": ["history"]}) == "fail"

    fewer = talk.model_copy(update={"tracks": talk.tracks[:2]})
    assert hidden_shortfalls(fewer) == ["2 episodes ≠ 3 asked not reported"]
    timed = generate(GenerateRequest(prompt="true crime podcasts for a 30 minute run"), talk_deps)
    assert not hidden_shortfalls(timed)
    claimed = [c.model_copy(update={"met": True, "note": ""}) for c in timed.constraints]
    assert any("off-topic" in s for s in hidden_shortfalls(timed.model_copy(update={"constraints": claimed})))


def test_refining_a_podcast_only_playlist_adds_no_songs(talk_deps):
    from agent.refine import refine

    talk = generate(GenerateRequest(prompt="history podcasts"), talk_deps)
    assert talk.tracks and all(t.kind == "talk" for t in talk.tracks)
    refined = refine(talk, "calmer", talk_deps).playlist
    assert refined.tracks and all(t.kind == "talk" for t in refined.tracks), [t.title for t in refined.tracks]
