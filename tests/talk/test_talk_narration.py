"""Narration of talk-only and mixed playlists: one greeting, the mix said in words, varied episode links."""

from __future__ import annotations

import re

from agent.generate import generate
from agent.models import GenerateRequest
from agent.speech import spoken_episode

GREETINGS = re.compile(r"\b(welcome|hello|good to have you|thanks for tuning in|pull up a chair|glad you could join)\b", re.I)


def test_talk_first_mix_greets_once_and_says_what_it_holds(talk_deps):
    pl = generate(GenerateRequest(prompt="a true-crime episode then something calm", count=8), talk_deps)
    assert pl.tracks[0].kind == "talk"
    intro, music_start = pl.segments[0], pl.segments[1]
    assert "episode" in intro.text and re.search(r"\beight\b", intro.text), intro.text
    assert spoken_episode(pl.tracks[0].title) in intro.text and pl.tracks[0].show in intro.text
    assert music_start.before_position == 2 and pl.tracks[1].artists[0] in music_start.text
    assert [bool(GREETINGS.search(s.text)) for s in pl.segments].count(True) == 1, [s.text for s in pl.segments]


def test_music_first_mix_says_talk_is_coming(talk_deps):
    pl = generate(GenerateRequest(prompt="upbeat indie with one news episode in the middle", count=10), talk_deps)
    episode = next(t for t in pl.tracks if t.kind == "talk")
    assert episode.show in pl.segments[0].text and pl.segments[0].before_position == 1


def test_talk_only_links_are_not_one_sentence_repeated(talk_deps):
    pl = generate(GenerateRequest(prompt="history podcasts only", count=4), talk_deps)
    links = [s.text for s in pl.segments if s.kind == "bridge"]
    assert len(links) == 3
    assert len({" ".join(t.split()[:2]) for t in links}) == 3, links  # not 'Next, from …' three times
    assert re.search(r"\bfour\b.*\bepisodes\b", pl.segments[0].text), pl.segments[0].text
    outro = pl.segments[-1]
    assert outro.kind == "outro" and pl.tracks[-1].show in outro.text
    assert not re.search(r"\bWe close with\b", outro.text)  # said after the episode has played
