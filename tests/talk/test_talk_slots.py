"""Mixed and talk-only playlists on the fixture music catalog and the real-podcast cut: talk only when asked,
placed where asked, clean means known-clean shows only, timed playlists use episodes of known length."""

from __future__ import annotations

import dataclasses

import pytest

from agent.generate import generate
from agent.models import GenerateRequest
from agent.planner.formats import parse_format
from agent.response import talk_gate
from tools.content_filter import ContentPolicy


@pytest.mark.parametrize(("prompt", "kind", "positions", "topics"), [
    ("upbeat indie with one short news episode in the middle", "mixed", ["middle"], [["news"]]),
    ("a true-crime episode then something calm", "mixed", ["start"], [["true crime"]]),
    ("calm music then a comedy podcast", "mixed", ["end"], [["comedy"]]),
    ("comedy podcasts only", "talk", ["start"] * 3, [["comedy"]] * 3),
    ("2 history podcasts", "talk", ["start"] * 2, [["history"]] * 2),
    ("upbeat pop punk for a run, no explicit", "music", [], []),
    ("live show recordings from the 90s", "music", [], []),
])
def test_format_plan(deps, prompt, kind, positions, topics):
    from agent.planner.offline import parse_prompt

    plan = parse_prompt(prompt, deps.catalog).format
    assert plan.kind == kind
    assert [s.position for s in plan.talk] == positions and [s.topics for s in plan.talk] == topics


def test_talk_words_stay_out_of_the_music_query(deps):
    from agent.planner.offline import parse_prompt

    spec = parse_prompt("upbeat indie with one short news episode in the middle", deps.catalog)
    assert "news" not in spec.query and "episode" not in spec.query and "middle" not in spec.query
    assert spec.genres and spec.format.talk[0].max_minutes == 20


@pytest.mark.parametrize("prompt", ["upbeat pop punk for a run", "rainy sunday coffee, mellow indie",
                                    "spoken word and talk-heavy hip hop", "90s hip hop"])
def test_music_only_never_contains_talk_or_loads_it(deps, prompt):
    fresh = dataclasses.replace(deps, talk_catalog=None)
    pl = generate(GenerateRequest(prompt=prompt, count=10), fresh)
    assert pl.spec.format.kind == "music" and len(pl.tracks) == 10
    assert all(t.kind == "music" and t.show is None for t in pl.tracks)
    assert fresh.talk_catalog is None  # music-only requests never open the talk catalog


def test_mixed_places_talk_in_the_middle(talk_deps):
    pl = generate(GenerateRequest(prompt="upbeat indie with one news episode in the middle", count=10), talk_deps)
    kinds = [t.kind for t in pl.tracks]
    assert kinds.count("talk") == 1 and kinds.count("music") == 10
    episode = pl.tracks[kinds.index("talk")]
    assert episode.position == 6 and "news" in talk_deps.talk.get(episode.id).topics
    intro = next(s for s in pl.segments if s.before_position == episode.position)
    assert episode.show in intro.text and episode.title in intro.text
    assert any(c.name == "talk" and c.met for c in pl.constraints)


def test_episode_first_then_music(talk_deps):
    pl = generate(GenerateRequest(prompt="a true-crime episode then something calm", count=8), talk_deps)
    assert pl.tracks[0].kind == "talk" and all(t.kind == "music" for t in pl.tracks[1:])
    assert "true crime" in talk_deps.talk.get(pl.tracks[0].id).topics
    assert [s.before_position for s in pl.segments][:2] == [1, 2]  # the episode's intro, then the way back to music


def test_timed_mix_uses_known_lengths_and_says_so(talk_deps):
    pl = generate(GenerateRequest(prompt="40-minute commute: upbeat indie with one short news episode in the middle"),
                  talk_deps)
    episodes = [t for t in pl.tracks if t.kind == "talk"]
    assert len(episodes) == 1 and 0 < episodes[0].duration_ms <= 20 * 60000
    total = sum(t.duration_ms for t in pl.tracks) / 60000
    assert abs(total - 40) <= 0.03 * 40
    reports = {c.name: c for c in pl.constraints}
    assert reports["duration"].met and reports["talk_known_length"].met


@pytest.mark.parametrize("prompt", ["comedy podcasts only, no explicit", "clean true crime podcasts only",
                                    "indie pop with a comedy podcast at the end, no explicit"])
def test_clean_policy_never_returns_explicit_or_unknown_episodes(talk_deps, prompt):
    pl = generate(GenerateRequest(prompt=prompt), talk_deps)
    episodes = [t for t in pl.tracks if t.kind == "talk"]
    assert episodes, pl.constraints
    assert all(talk_deps.talk.get(t.id).explicit is False and t.explicit is False for t in episodes)
    assert all(t.explicit is False for t in pl.tracks)


def test_talk_gate_removes_explicit_unknown_and_foreign_items(talk_deps):
    talk = talk_deps.talk
    sample = [next(i for i in talk.items if i.explicit is e) for e in (True, False, None)]
    forged = sample[1].model_copy(update={"id": "not-in-catalog"})
    kept, removed = talk_gate([*sample, forged], ContentPolicy(explicit="exclude"), talk_deps)
    assert kept == [sample[1]]
    assert [r.reason for r in removed] == ["explicit", "explicit status unknown", "not in the talk catalog"]
    kept, _ = talk_gate(sample, ContentPolicy(), talk_deps)
    assert kept == sample


def test_talk_only_with_a_count(talk_deps):
    pl = generate(GenerateRequest(prompt="history podcasts only", count=4), talk_deps)
    assert [t.kind for t in pl.tracks] == ["talk"] * 4
    assert len({t.show for t in pl.tracks}) == 4  # never two episodes of one show
    assert pl.segments[0].before_position == 1 and pl.tracks[0].show in pl.segments[0].text


def test_prompt_decides_not_the_planner(talk_deps, monkeypatch):
    """A planner that adds talk to a music prompt is overruled by the prompt's own words."""
    import agent.generate as gen
    from agent.models import FormatPlan, TalkSlot

    real = gen.plan

    def adds_talk(request, d):
        planned = real(request, d)
        planned.spec = planned.spec.model_copy(update={"format": FormatPlan(kind="mixed", talk=[TalkSlot()])})
        return planned

    monkeypatch.setattr(gen, "plan", adds_talk)
    pl = generate(GenerateRequest(prompt="summer indie pop", count=6), talk_deps)
    assert all(t.kind == "music" for t in pl.tracks) and len(pl.tracks) == 6
    assert parse_format("summer indie pop").kind == "music"


def test_a_refine_keeps_the_episodes_at_their_place(talk_deps):
    from agent.refine import refine

    pl = generate(GenerateRequest(prompt="a true crime podcast first, then chill indie, 8 songs"), talk_deps)
    assert pl.tracks[0].kind == "talk"
    result = refine(pl, "less upbeat", talk_deps)
    new = result.playlist
    assert new.tracks[0].kind == "talk" and new.tracks[0].id == pl.tracks[0].id
    assert sum(t.kind == "music" for t in new.tracks) == 8
    assert all("catalog" not in r.reason for r in result.diff.removed)  # nothing removed for a false reason
    assert new.spec.format.kind == "mixed" and any(c.name == "talk" and c.met for c in new.constraints)
