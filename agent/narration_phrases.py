"""The offline host's phrasebook: sentence templates for intros, bridges and outros. A template's slots name
facts (agent/narration.py fills them); an entry may carry a condition on those facts. A template is used at
most once per playlist, so the pools are large where a long playlist needs many sentences. A count in words
never opens a sentence: a capitalised 'Twenty-five' reads as a name ('Five')."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Fits = Callable[[dict[str, Any]], bool]
Pool = tuple[str | tuple[str, Fits], ...]

GREET: Pool = (
    "Welcome in.", "Hello and welcome.", "Good to have you here.", "Hey there, thanks for tuning in.",
    "Pull up a chair.", "Hi there, glad you could join me.",
    ("Good morning.", lambda f: f["morning"]), ("Good evening.", lambda f: f["night"]),
)
MUSIC_NOW: Pool = ("Now for some music.", "On to the music.", "Time for some music.")
# the whole set in one sentence: how many, what kind, from when, for what
DESCRIBE: Pool = (
    ("Today it's {count_words} {kind} for {occasion}, {era}.", lambda f: bool(f["occasion"])),
    ("I've put together {count_words} {kind} for {occasion}, {era}.", lambda f: bool(f["occasion"])),
    ("For {occasion}, {duration} of {genre_mix}: {count_words} {noun}, {era}.", lambda f: bool(f["occasion"])),
    ("Here's {duration} of {genre_mix} for {occasion}, {count_words} {noun} in all.", lambda f: bool(f["occasion"])),
    ("I've got {count_words} {kind} for you, {era}.", lambda f: not f["occasion"]),
    ("Here's {duration} of {genre_mix}: {count_words} {noun}, {era}.", lambda f: not f["occasion"]),
    ("There are {count_words} {kind} ahead, {era}, {duration} in all.", lambda f: not f["occasion"]),
    ("Coming up, {count_words} {kind} for {occasion}.", lambda f: bool(f["occasion"])),
)
DESCRIBE_FALLBACK = "There are {count_words} {noun} ahead, {duration} in all."
SHAPE: Pool = (
    "The energy {shape_verb}, with tempos {tempo}.",
    "Tempos sit {tempo}, and the energy {shape_verb}.",
    ("The pace sits {tempo}.", lambda f: not f["shape_verb"]),
    ("The energy {shape_verb}.", lambda f: not f["tempo"]),
)
SHAPE_VERBS = {"rise": ("builds as it goes", "climbs steadily from start to finish"),
               "fall": ("eases off as it goes", "winds down toward the end"),
               "peak": ("peaks in the middle", "rises to a high point halfway through"),
               "dip": ("dips in the middle and lifts again", "takes a breather halfway through"),
               "steady": ("holds steady from start to finish", "stays at an even level throughout", "keeps an even keel")}
LISTENER: Pool = ("With a nod to your love of {lgenres}.", "Your {lgenres} taste was on my mind, too.",
                  "I kept your love of {lgenres} in mind.")
FIRST: Pool = (
    "First up, {title} by {artist}.", "We start with {artist_s} {title}, from {year}.",
    "{artist} gets us going with {title}.", "Opening the set, {title} by {artist}, from {year}.",
    "Let's begin with {title}, from {artist}.", "Here's {artist} to start, with {title}.",
)
ONLY: Pool = ("Here it is: {title} by {artist}.", "It's {artist_s} {title}.", "Here's {title} by {artist}.")

BACK: Pool = (
    "That was {title} by {artist}.", "You just heard {artist} with {title}.", "{title}, from {artist}, right there.",
    "{artist} there, with {title}.", "That was {artist_s} {title}, from {year}.", "Lovely stuff from {artist}: {title}.",
    "We just heard {title} by {artist}.", "{title} by {artist}, still ringing out.",
    "A bit of {genre} there from {artist}, {title}.", "That one was {artist}, {title}, out in {year}.",
    "Hope {title} by {artist} landed well.", "{artist} kept things {mood} with {title}.",
    "Behind us now, {title} from {artist}.", "Nice one from {artist}: that was {title}.",
    "{title} just wrapped, thanks to {artist}.", "That last one? {title}, by {artist}.",
    "From {year}, that was {artist} with {title}.", "{artist_s} {title} brought us here.",
)
FORWARD: Pool = (
    "Next, {title} by {artist}.", "Coming up: {artist} with {title}.", "Here's {artist}, {title}, from {year}.",
    "On deck is {title} from {artist}.", "Now let's hear {artist} with {title}.",
    "Turning now to {artist}, with {title}.", "Lining up {title}, by {artist}, for you.",
    "Up now, {title}, from {year}, by {artist}.", "Stay with me for {artist_s} {title}.",
    "Sliding into {title} by {artist} next.", "Over to {artist} now, with {title}.",
    "Here comes {title}, care of {artist}.", "Let {artist} take it from here with {title}.",
    "And now, from {year}, {artist} with {title}.", "Settle into {title} by {artist}.",
    "Right behind it, {artist_s} {title}.", "Here's {title} from {artist}.", "Next up is {artist_s} {title}.",
)
# one observation about the change from the last track to the next (facts of both)
NOTE: Pool = (
    ("Keeping it {mood}.", lambda f: bool(f["mood"]) and f["mood"] == f["prev_mood"]),
    ("More {genre} now.", lambda f: bool(f["genre"]) and f["genre"] == f["prev_genre"]),
    ("A switch from {prev_genre} to {genre}.", lambda f: bool(f["genre"] and f["prev_genre"]) and f["genre"] != f["prev_genre"]),
    ("The tempo climbs to {bpm} BPM.", lambda f: f["bpm"] > 0 and f["prev_bpm"] > 0 and f["bpm"] - f["prev_bpm"] >= 10),
    ("Slowing down to {bpm} BPM.", lambda f: f["bpm"] > 0 and f["prev_bpm"] - f["bpm"] >= 10),
    ("Same easy pace, around {bpm} BPM.", lambda f: f["bpm"] > 0 and abs(f["bpm"] - f["prev_bpm"]) < 6),
    ("Lifting the energy a notch.", lambda f: f["energy"] > f["prev_energy"] + 0.08),
    ("Bringing the energy down a little.", lambda f: f["energy"] < f["prev_energy"] - 0.08),
    ("Jumping back to {year}.", lambda f: bool(f["year"] and f["prev_year"]) and f["prev_year"] - f["year"] >= 10),
    ("Forward to {year} now.", lambda f: bool(f["year"] and f["prev_year"]) and f["year"] - f["prev_year"] >= 10),
    ("Something brighter after that.", lambda f: f["valence"] > f["prev_valence"] + 0.2),
    ("A darker shade next.", lambda f: f["valence"] < f["prev_valence"] - 0.2),
    ("Halfway through the set.", lambda f: abs(f["played"] - f["count"] / 2) < 1.5),
    ("That's {played_words} down and {left_words} to go.", lambda f: f["played"] > 2 and f["left"] > 1),
)
# one sentence that links the last track to the next
PAIR: Pool = (
    "After {prev_artist_s} {prev_title}, here's {title} by {artist}.",
    "From {prev_artist} to {artist} now, with {title}.",
    "{prev_title} gives way to {artist_s} {title}.",
    "That was {prev_artist} with {prev_title}, and this is {artist} with {title}.",
    "We go from {prev_title} straight into {title} by {artist}.",
    "Following {prev_title} by {prev_artist}, it's {artist} with {title}.",
    ("More {genre}: {prev_artist} there, and now {artist} with {title}.", lambda f: bool(f["genre"]) and f["genre"] == f["prev_genre"]),
    ("From {prev_year} to {year}: {prev_artist} makes way for {artist_s} {title}.",
     lambda f: bool(f["year"] and f["prev_year"]) and abs(f["year"] - f["prev_year"]) >= 10),
)
# the next track with something about it
DETAIL: Pool = (
    "Here's {a_genre} {item} from {year}: {title} by {artist}.",
    "Something {mood} now, from {year}: {artist} with {title}.",
    "{artist} next, with {title}, a bit of {genre} from {year}.",
    "Coming up, {artist_s} {title}, {a_genre} {item} from {year}.",
    "Next is {title}, {a_mood} one from {artist}, released in {year}.",
    "At {bpm} BPM, here's {title} by {artist}.",
    "{title} is next, {artist} at about {bpm} BPM.",
)
BRIDGE_SHAPES = {"back_forward": (BACK, FORWARD), "back_note_forward": (BACK, NOTE, FORWARD),
                 "note_forward": (NOTE, FORWARD), "pair": (PAIR,), "detail": (DETAIL,)}

CLOSE: Pool = ("That was {title} by {artist} to close.", "{artist} closed us out with {title}.",
               "And that's {artist_s} {title}, the last one of the set.", "We finished on {title} by {artist}.",
               "{title} by {artist} brings us to the end.")
RECAP: Pool = (
    "That's {count_words} {noun} and {duration} of {genre_mix}.",
    ("{duration} of {matter} for {occasion}, from {first_artist} to {last_artist}.",
     lambda f: f["count"] > 1 and f["first_artist"] != f["last_artist"] and bool(f["occasion"])),
    ("That was {count_words} {noun}, from {first_artist} all the way to {last_artist}.",
     lambda f: f["count"] > 2 and f["first_artist"] != f["last_artist"]),
    ("That's the set: {count_words} {kind}, {era}.", lambda f: f["count"] > 1),
)
SIGNOFF: Pool = (
    "Thanks for listening.", "Until next time.", "Take care out there.", "See you on the next one.",
    ("Hope that was just right for {occasion}.", lambda f: bool(f["occasion"])),
    ("Enjoy the rest of your {weekday}.", lambda f: bool(f["weekday"])),
    ("Sleep well.", lambda f: f["activity"] == "drifting off to sleep"),
)
