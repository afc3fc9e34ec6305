"""Soundscapes (noise and nature recordings) are told from music, and kept for the prompts that ask for them."""

from __future__ import annotations

from tools.soundscapes import asked, is_soundscape, soundscape_mask


def test_noise_and_nature_recordings_are_soundscapes_and_songs_are_not():
    assert is_soundscape("Brown Noise 140 hz Sharp Q", ["sleep", "white noise"])
    assert is_soundscape("Clean White Noise", ["sleep"])
    assert is_soundscape("Rain Sounds: Raining", [])
    assert is_soundscape("Rolling Ocean Waves", ["environmental", "sleep", "water"])
    assert not is_soundscape("White Noise", ["house", "pop", "uk dance"])  # Disclosure's song
    assert not is_soundscape("November Rain", ["album rock", "hard rock"])
    assert not is_soundscape("Noise", ["contemporary country"])


def test_soundscapes_belong_where_asked():
    assert asked(["soundscape"], []) and asked(["sleep"], []) and asked([], ["white noise"])
    assert not asked(["chill", "rainy"], []) and not asked(["soft"], ["ambient"])


def test_the_planner_reads_sound_requests_and_not_sounds_like(catalog):
    from agent.planner.offline import parse_prompt

    for prompt in ("rain sounds for sleeping", "ocean waves to study", "brown noise"):
        assert "soundscape" in parse_prompt(prompt, catalog).moods, prompt
    for prompt in ("songs that sound like a thunderstorm feels", "something that sounds like Daft Punk", "hiking in nature"):
        assert "soundscape" not in parse_prompt(prompt, catalog).moods, prompt


def test_the_catalog_mask_marks_only_soundscapes(catalog):
    mask = soundscape_mask(catalog)
    assert mask.shape == (len(catalog),)
    tracks = [catalog.tracks[i] for i in range(len(catalog))]
    assert [is_soundscape(t.title, t.genres, t.valence) for t in tracks] == mask.tolist()


def test_a_flat_nature_recording_is_caught_even_with_a_playlist_label():
    assert is_soundscape("Suburban Forest Rain 1", ["latin", "tropical"], valence=0.019)
    assert is_soundscape("Rain All Night", [], valence=0.001)
    assert not is_soundscape("A Day Without Rain", ["celtic", "middle earth"], valence=0.039)  # Enya
    assert not is_soundscape("Storm", ["canadian post-rock"], valence=0.02)  # Godspeed You! Black Emperor
    assert not is_soundscape("Summer Rain", ["latin", "tropical"], valence=0.4)  # a song, not a recording
