"""The offline planner's documented lexicon: moods, activities and settings → audio-feature targets,
genre aliases, energy arcs, explicit-content words, discovery/taste/narration phrases.

Feature targets are 0-1 values of Spotify audio features. When a prompt names several moods the
planner averages their targets feature by feature. A negated mood ("nothing sad", "not too loud")
contributes the mirrored target pulled halfway to neutral: (1 - t + 0.5) / 2, and is not listed in
`spec.moods`. Every phrase is matched on lower-cased, accent-folded text as whole words."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mood:
    """One canonical mood / activity / setting, the phrases that name it and its feature targets."""

    name: str
    phrases: tuple[str, ...]
    targets: dict[str, float] = field(default_factory=dict)


def _m(name: str, phrases: str, **targets: float) -> Mood:
    return Mood(name, tuple(p.strip() for p in phrases.split(",") if p.strip()), targets)


MOODS: tuple[Mood, ...] = (
    # activities
    _m("workout", "workout, workouts, work out, working out, gym, exercise, exercising, lifting, weightlifting, "
       "weight lifting, training, cardio, crossfit, fitness, hiit, spin class, wod, locker room, pre workout, "
       "preworkout", energy=0.85, danceability=0.7, valence=0.6),
    _m("running", "run, running, runs, jog, jogging, jogs, 5k, 10k, marathon, sprint, sprints, treadmill",
       energy=0.85, danceability=0.65, valence=0.6),
    _m("study", "study, studying, studies, homework, exam, exams, revision, revising, midterms, finals, reading, "
       "read, essay, library", energy=0.3, acousticness=0.6, instrumentalness=0.5, speechiness=0.05, valence=0.45),
    _m("focus", "focus, focused, focusing, concentrate, concentration, concentrating, deep work, coding, programming, "
       "productive, productivity, while i work, while working, at work, for work, work time, get work done, "
       "working on a project, workday", energy=0.4, instrumentalness=0.5, speechiness=0.05, valence=0.5),
    _m("sleep", "sleep, sleepy, sleeping, asleep, bedtime, bed, insomnia, lullaby, lullabies, nap, napping, drift off",
       energy=0.15, acousticness=0.8, instrumentalness=0.6, valence=0.3, danceability=0.3),
    _m("meditation", "meditate, meditation, meditating, yoga, mindfulness, mindful, reflect, reflection, spa",
       energy=0.15, acousticness=0.75, instrumentalness=0.6, valence=0.35),
    _m("party", "party, parties, partying, pregame, pre game, pregaming, turn up, turnt, rager, club, clubbing, "
       "house party, keg party, kegger, night out, going out, rave, festival, birthday, birthday party, celebrate, "
       "celebration, celebrating, girls night, girls night out, game night, sleepover, sleep over, karaoke, "
       "friends over, bbq, barbecue, fiesta", energy=0.8, danceability=0.8, valence=0.7),
    _m("dance", "dance, dancing, danceable, dance music, dance floor, dancefloor, groove, groovy, groovin, grooving, "
       "get me moving, move, bailar", energy=0.75, danceability=0.85, valence=0.65),
    _m("dinner", "dinner, dinner party, cooking, cook, brunch, dinner date", energy=0.4, valence=0.6,
       acousticness=0.5, danceability=0.55),
    _m("road trip", "road trip, road trips, roadtrip, roadtrips, road tripping", energy=0.65, valence=0.7,
       danceability=0.6),
    _m("driving", "drive, driving, drives, car, car ride, commute, commuting, traffic, cruising, cruise, "
       "running errands, errands, driving home, on the way to work", energy=0.6, valence=0.6),
    _m("travel", "travel, travelling, traveling, trip, flight, plane, airport, train ride", energy=0.5, valence=0.6),
    _m("chores", "chores, cleaning, laundry, housework, tidying, tidy up, clean up, cleaning the house, cleaning house, "
       "clean house, cleaning out, doing dishes",
       energy=0.7, valence=0.7, danceability=0.65),
    _m("gaming", "gaming, video games, video game, games", energy=0.7, valence=0.5),
    _m("walking", "walk, walking, walks, stroll, strolling, dog walk", energy=0.5, valence=0.65),
    _m("outdoors", "hike, hiking, camping, campfire, nature, countryside, outdoors, forest, mountains",
       energy=0.5, acousticness=0.6, valence=0.6),
    _m("getting ready", "getting ready, get ready, shower, showering, morning routine", energy=0.7, valence=0.75,
       danceability=0.65),
    # settings and times
    _m("coffee", "coffee, coffee shop, coffeeshop, cafe, latte, espresso", energy=0.35, acousticness=0.65,
       valence=0.55),
    _m("morning", "morning, mornings, wake up, waking up, sunrise, start the day, start my day, breakfast",
       energy=0.55, valence=0.7, acousticness=0.4),
    _m("night", "night, nights, nighttime, late night, midnight, after hours, late at night, 2am, 3am", energy=0.4,
       valence=0.35),
    _m("rainy", "rain, rainy, raining, rainy day, drizzle, grey day, gray day, cloudy", energy=0.35,
       valence=0.35, acousticness=0.6),
    _m("sunny", "sunny, sunshine, sun, summer, summertime, summery, beach, beach day, poolside, pool party, island, "
       "island vibe, vacation", energy=0.7, valence=0.8, danceability=0.7),
    _m("winter", "winter, snow, snowy, cold weather, fireplace", energy=0.35, acousticness=0.6, valence=0.45),
    _m("christmas", "christmas, xmas, holiday, holidays, festive, holiday spirit, christmas spirit"),
    _m("soundscape", "rain sounds, rain sound, sound of rain, sounds of rain, nature sounds, sounds of nature, "
       "ocean sounds, ocean waves, forest sounds, thunderstorm sounds, storm sounds, ambient sounds, soundscape, "
       "soundscapes, brown noise, pink noise, fan noise, noise machine, asmr",
       energy=0.1, instrumentalness=0.9, acousticness=0.8),
    # feelings
    _m("happy", "happy, happier, happiest, happiness, joy, joyful, cheerful, cheerier, brighter, feel good, feelgood, good mood, good vibes, positive, "
       "uplifting, cheer me up, lift my mood, boost my mood, improve my mood, mood booster, pick me up, in a good mood, fun",
       valence=0.85, energy=0.7),
    _m("empowering", "empowering, empowered, empowerment, confident, confidence, self love, self-love, girl power, "
       "fierce, sassy, badass, bad bitch, bad bitches, moving on, move on, over him, over her, over you, "
       "better off without, glow up", valence=0.65, energy=0.75,
       danceability=0.7),
    _m("upbeat", "upbeat, up beat, lively, bouncy, peppy, catchy, bubbly", valence=0.75, energy=0.75,
       danceability=0.7),
    _m("energetic", "energetic, energy, high energy, energizing, energising, hype, hyped, amped, pumped, pumping, "
       "bangers, banger, banging, adrenaline, motivating, motivated, motivation, motivational, get motivated, "
       "keep me awake, stay awake, wake me up, pump me up, pump up, pumping myself up, pumped up, motivate, motivate me, "
       "get me going, get me hyped, hype me up, hyped up, fire me up, fired up, psyched, psyched up, psych me up, "
       "amp me up, amped up", energy=0.9, danceability=0.65),
    _m("sad", "sad, sadness, depressed, depressing, depression, heartbreak, heartbroken, heart break, breakup, "
       "break up, broken heart, crying, cry, lonely, loneliness, alone, melancholy, melancholic, gloomy, miserable, "
       "tearjerker, sadder, saddest, feeling blue, feeling down, am down, im down, emotional, grief, sorrow",
       valence=0.2, energy=0.35),
    _m("angry", "angry, angrier, anger, rage, mad, pissed, pissed off, furious, aggressive, aggression, fury, headbang, "
       "headbanging, headbanger, headbangers, head banging", energy=0.9, valence=0.25),
    _m("romantic", "romantic, romance, love songs, love song, in love, date night, anniversary, valentine, "
       "valentines, sexy, sensual, intimate, love making, lovemaking, slow jam, slow jams, wedding, proposal, "
       "first dance, our first dance, slow dance, slow dances, slow dancing, "
       "engagement, cuddle, cuddling, feeling love, sex", valence=0.6, energy=0.4, danceability=0.55,
       acousticness=0.4),
    _m("chill", "chill, chiller, calmer, mellower, more relaxed, chilled, chilling, chillin, chill out, chilled out, chillout, relax, relaxing, relaxed, "
       "relaxation, unwind, unwinding, laid back, laidback, low key, lowkey, calm, calming, soothing, peaceful, "
       "mellow, easy listening, tranquil, serene, cozy, cosy, stressed, stress, anxious, anxiety, lazy, "
       "lazy sunday, take it easy, bath, decompress", energy=0.35, valence=0.5, acousticness=0.5, danceability=0.5),
    _m("dreamy", "dreamy, ethereal, floaty, spacey, hazy, atmospheric", energy=0.35, acousticness=0.4,
       instrumentalness=0.3),
    _m("dark", "dark, darker, moody, brooding, gritty, sinister, spooky, creepy, halloween, haunting", valence=0.2,
       energy=0.55),
    _m("stormy", "stormy, storm, storms, thunderstorm, thunderstorms, thunder, lightning, tempest", energy=0.75,
       valence=0.25, acousticness=0.2),
    _m("nostalgic", "nostalgia, nostalgic, memories, childhood, reminisce, reminiscing, retro"),
    _m("epic", "epic, cinematic, anthemic, triumphant, victory", energy=0.75, valence=0.55),
    # sound
    _m("acoustic", "acoustic, unplugged, stripped, stripped back, stripped down", acousticness=0.85, energy=0.35),
    _m("instrumental", "instrumental, instrumentals, no vocals, no lyrics, without lyrics, without vocals, "
       "wordless, without a lot of lyrics, without words, no words, no singing, no singer, no singers, vocal free, "
       "vocal-free, no voices, without singing, instrumental only, only instrumental", instrumentalness=0.8, speechiness=0.04),
    _m("intense", "intense, heavy, loud, hard hitting, hard-hitting, harder, aggressive energy", energy=0.9),
    _m("slow", "slow, slower, slow songs, ballad, ballads, downtempo", energy=0.3, danceability=0.4),
    _m("fast", "fast, faster, fast paced, fast-paced, uptempo, up tempo", energy=0.75),
    _m("soft", "soft, gentle, quiet, softer", energy=0.25, acousticness=0.65),
)

MOOD_BY_NAME: dict[str, Mood] = {m.name: m for m in MOODS}

#: Genre words a user types → a catalog genre term (matched by catalog.matching_genres as whole words).
GENRE_ALIASES: dict[str, str] = {
    "hiphop": "hip hop", "hip hop": "hip hop", "hip-hop": "hip hop", "rnb": "r&b", "r n b": "r&b", "r and b": "r&b",
    "r b": "r&b", "randb": "r&b", "lofi": "lo-fi", "lo fi": "lo-fi", "low fi": "lo-fi", "kpop": "k-pop", "k pop": "k-pop",
    "jpop": "j-pop", "j pop": "j-pop", "edm": "edm", "electronic": "electronic", "electronica": "electronica",
    "electro": "electro", "dnb": "drum and bass", "drum n bass": "drum and bass", "drum and bass": "drum and bass",
    "alt rock": "alternative rock", "alt-rock": "alternative rock", "alt": "alternative", "alternative": "alternative",
    "indie": "indie", "synth pop": "synthpop", "synth-pop": "synthpop", "poppunk": "pop punk",
    "rock n roll": "rock-and-roll", "rock and roll": "rock-and-roll", "rock & roll": "rock-and-roll",
    "rocknroll": "rock-and-roll", "gangsta rap": "gangster rap", "old skool hip hop": "old school hip hop",
    "raggaeton": "reggaeton", "regaeton": "reggaeton", "reggaetón": "reggaeton", "afrobeats": "afrobeat",
    "afro beats": "afrobeat", "afro-pop": "afropop", "afro pop": "afropop", "country western": "country",
    "classic country": "country", "metal rock": "metal", "heavy metal": "metal", "techno": "techno",
    "christian": "christian", "classical music": "classical", "broadway": "broadway", "musicals": "show tunes",
    "showtunes": "show tunes", "rap music": "rap", "hip hop music": "hip hop", "punk rock": "punk rock",
    "neo-soul": "neo soul", "broadway musicals": "broadway", "dirty south": "dirty south rap", "funky": "funk",
    "bossa": "bossa nova", "neosoul": "neo soul", "new-jack swing": "new jack swing", "corridos": "corrido", "movie": "movie tunes", "movies": "movie tunes", "film": "movie tunes",
    "films": "movie tunes", "movie soundtracks": "soundtrack", "soundtracks": "soundtrack", "film scores": "scorecore",
    "film score": "scorecore", "movie scores": "scorecore", "kids music": "children's music",
    "dubstep": "dubstep", "garage": "garage", "latino": "latin", "urbano": "urbano", "raps": "rap",
}

#: Head words that are not full catalog genres but select many of them ('indie' → indie pop, indie rock …).
GENRE_TERMS: tuple[str, ...] = (
    "indie", "alternative", "electronic", "punk", "metal", "jazz", "classical", "blues", "soul", "funk", "folk",
    "country", "reggae", "techno", "house", "trance", "latin", "gospel", "christian", "worship", "piano",
    "acoustic pop", "garage", "hardcore", "psychedelic", "progressive", "synthwave", "afro", "urbano",
    "americana", "bollywood", "desi",  # heads of 'new americana', 'modern bollywood', 'desi pop' (no genre of their own)
)

#: Catalog genre names never read from free text (ordinary words, or covered by the mood lexicon).
GENRE_BLOCK: frozenset[str] = frozenset({
    "sleep", "focus", "focus beats", "water", "sound", "world", "healing", "atmosphere", "environmental", "comic",
    "hollywood", "classify", "ninja", "wrestling", "minecraft", "pony", "slayer", "idol", "electra", "popping",
    "lullaby", "meditation", "nursery", "cartoon", "parody", "drone", "glitch", "mashup", "chill out", "chill beats",
    "chill pop", "chill guitar", "lo-fi chill", "chill r&b", "kids dance party", "calming instrumental", "country road",
    "relaxative", "yoga", "sufi", "bounce", "freestyle", "stride", "rave", "classic", "slow game", "dreamo", "gymcore",
    "hopebeat", "traprun", "orgcore", "epicore", "zolo", "pixie", "lds", "opm", "ccm", "gbvfi", "c86", "ambeat",
    "world meditation", "background piano", "study", "wave", "piano cover", "deep", "anthem emo", "modern", "new",
    "instrumental", "acoustic", "romantic", "soft", "dance", "party", "sad", "dark", "christmas instrumental",
    "halloween", "show", "la",
})

# --------------------------------------------------------------------------- regex phrase tables

#: What may close a "start X and end Y" phrase ('… and finish mellow', '… builds to bangers').
ARC_TAIL = (r"(?: (?:up|down|off|out))?(?: (?:to|into|with|on|in) (?:some |a )?)?(?: ?(?:bangers|hype|chill|mellow|"
            r"calm|high energy|energy|slow|fast|soft|quiet|loud|strong|energetic|upbeat|intense))?")

_LOUDER = r"(?:louder|faster|harder|heavier|bigger|higher|wilder|more (?:intense|energetic|upbeat|hype))"
_CALMER = r"(?:quieter|softer|slower|calmer|mellower|gentler|chiller|sleepier|more (?:chill|relaxed|mellow|calm))"
_CALM = r"(?:slow|soft|quiet|calm|chill|mellow|gentle|easy|low|relaxed|sleepy)"
_BIG = r"(?:big|strong|loud|huge|hype|high|energetic|epic|explosive|massive|intense|fast|upbeat)"
_ONE_BY_ONE = r"(?:song by song|track by track|as (?:it|we) go(?:es)?|over time|as the night goes on|the whole way|all the way)"

#: Everyday words for "more and more": 'louder and louder', 'progressively harder', 'slow start, big finish',
#: 'each song more energetic than the last', 'builds to a sprint finish', 'take it up a notch as it goes'.
RISE_MORE = (rf"{_LOUDER} and {_LOUDER}|more and more (?:intense|energetic|upbeat|hype)|"
             rf"(?:progressively|increasingly|gradually|steadily) {_LOUDER}|"
             rf"{_CALM}\w* (?:start|beginning|opening|intro)\W+(?:(?:and|then|to|into|with|a|an) )*{_BIG}\w* "
             r"(?:finish|ending|end|finale|close|climax)|"
             rf"each (?:song|track|one) (?:a bit |a little )?{_LOUDER} than the (?:last|one before|previous)|"
             r"(?:build|climb|rise|grow|ramp)(?:s|ing)? (?:up )?(?:to|towards?|into) (?:a |an |the |some )?"
             r"(?:peak|climax|finish|finale|sprint|bangers|drop|big|high|crescendo|frenzy|fever pitch)\w*|"
             rf"(?:climb|rise|build)(?:s|ing)? {_ONE_BY_ONE}|"
             rf"(?:take|kick|crank|turn|bring|notch)(?:s|ing)? it up (?:a notch |a gear |gradually |slowly )?{_ONE_BY_ONE}|"
             r"end(?:s|ing)? (?:huge|big|massive|explosive|epic)|energy (?:should |to |that )?(?:climbs?|rises?|builds?|grows?)")
FALL_MORE = (rf"{_CALMER} and {_CALMER}|less and less (?:intense|energetic|loud)|"
             rf"(?:progressively|increasingly|gradually|steadily) {_CALMER}|"
             rf"{_BIG}\w* (?:start|beginning|opening)\W+(?:(?:and|then|to|into|with|a|an) )*{_CALM}\w* "
             r"(?:finish|ending|end|landing|close)|"
             rf"each (?:song|track|one) (?:a bit |a little )?{_CALMER} than the (?:last|one before|previous)|"
             r"energy (?:should |to |that )?(?:drops?|falls?|fades?|sinks?)")

#: Energy arcs. 'peak' also covers "build up then wind down" (the issue's rise-then-fall shape).
ARC_PATTERNS: tuple[tuple[str, str], ...] = (
    ("peak", r"peak(?:s|ing)? (?:in|at|around|towards?) the (?:middle|center|centre)|"
             r"(?:build|ramp|rise|go|warm)(?:s|ing)? up (?:and|then|&|before|,)+ (?:(?:then|finally) )?"
             r"(?:wind|cool|calm|come|slow|bring it|settle)(?:s|ing)? (?:it )?down|"
             r"warm(?:ing)? ?up .{0,40}cool(?:ing)? ?down|rise and fall|up then down|climax in the middle|"
             r"high point in the middle|big middle"),
    ("wave", r"ups (?:and|&|n) downs|up and down|roller ?coaster|in waves|waves of energy|back and forth|"
             r"alternat(?:e|ing) (?:between )?(?:fast|slow|high|low|chill|hype)|mix of fast and slow|"
             r"mix of slow and fast"),
    ("rise", r"start(?:s|ing)? (?:off |out )?(?:slow|low|soft|chill|mellow|calm|easy|quiet|gentle)\w* (?:energy |tempo )?"
             r"(?:and |then |& |but |,)*(?:build|ramp|get|go|end|finish|pick|grow|climb|speed)\w*" + ARC_TAIL + "|"
             r"\b(?:slow ?build|slow ?burn|crescendo|ramp(?:s|ing)? (?:it )?up|building (?:up|energy|momentum)|"
             r"build(?:s)? (?:up )?(?:the )?(?:energy|intensity|momentum)|build(?:s)? (?:up|to a peak)(?! (?:a )?playlist)|"
             r"get(?:s|ting)? (?:more )?(?:intense|faster|louder|harder|heavier) as it goes|"
             r"(?:chill|slow|calm|low|mellow) to (?:hype|fast|high|intense|energetic|upbeat)|increasing energy|"
             r"escalat\w+|rising energy|energy rises|gradually (?:build|faster|louder|more))|"
             r"keeps? (?:on )?(?:building|climbing|rising)|keeps? (?:getting|going) (?:faster|harder|louder|higher|"
             r"more intense|up)|(?:from )?(?:a )?warm[- ]?up (?:to|into|then|and then) (?:the |a )?(?:peak(?: time)?|bangers|"
             r"high energy|full energy|the drop|climax)|(?:from )?(?:a )?warm[- ]?up (?:set|songs|tracks|mix) (?:to|into|then|and then) "
             r"(?:the |a )?peak|ease (?:me |us )?in(?:to)?(?: it)?(?! sleep)|"
             r"end(?:s|ing)? (?:on a high|with (?:a bang|bangers)|strong|loud|hype)|finish(?:es|ing)? strong|"
             r"get(?:s|ting)? (?:more )?(?:energetic|hype|intense|faster|louder) (?:as it goes|over time|towards the end)|"
             r"energy (?:goes|going) up|bigger and bigger|start(?:s|ing)? (?:off |out )?(?:slow|low|soft|chill|mellow|"
             r"calm|easy|quiet|gentle)\w*|" + RISE_MORE),
    ("fall", r"wind(?:s|ing)?[ -]?down|cool(?:s|ing)?[ -]?down|calm(?:s|ing)? (?:me |things )?down|"
             r"come ?down|taper(?:s|ing)? off|fade(?:s)? out|settle(?:s)? down|"
             r"start(?:s|ing)? (?:off |out )?(?:high|hype|loud|energetic|fast|strong|upbeat)\w* (?:energy |tempo )?"
             r"(?:and |then |& |but |,)*(?:end|finish|get|go|wind|slow|calm|mellow)\w*" + ARC_TAIL + "|"
             r"(?:hype|fast|high|intense|energetic|upbeat) to (?:chill|slow|calm|low|mellow)|decreasing energy|"
             r"slow(?:s|ing)? (?:it |things )?down (?:as it goes|towards the end|at the end)|"
             r"get(?:s|ting)? (?:calmer|slower|softer|mellower|quieter|chiller|sleepier) (?:as it goes|over time|towards "
             r"the end)?|bring(?:s|ing)? (?:me|it|us|the energy) down|energy (?:goes|going) down|"
             r"end(?:s|ing)? (?:calm|chill|slow|mellow|quiet|soft|sleepy)|ease (?:me |us )?into sleep|"
             r"(?:party|hype|bangers|club|gym) to (?:chill|sleep|bed|calm)|drift(?:ing)? off at the end|" + FALL_MORE),
    ("steady", r"steady(?: energy| tempo| beat| vibes?| pace)?|consistent(?:ly)?|constant energy|same energy|even energy|"
               r"keep (?:the )?energy (?:up|high|going)|keep it going|no (?:dips|lulls|slow downs|slowdowns)|"
               r"non[- ]?stop|flat energy|level energy|no breaks"),
)

#: Tempo words → a soft tempo band in BPM (low, high; None = open), first match wins. A number in the prompt
#: ('fast, around 170 bpm') sets the tempo instead; "not too fast" keeps only the open side ('under 140').
TEMPO_WORDS: tuple[tuple[str, float | None, float | None], ...] = (
    (r"(?:very|super|really|extremely|insanely|crazy|ultra)[- ]?(?:fast|quick|high[- ]tempo|uptempo)|breakneck|"
     r"blistering(?: pace| tempo)?|lightning[- ]fast|full[- ]speed|top speed|as fast as possible", 160.0, 210.0),
    (r"(?:very|super|really|extremely|ultra)[- ]?slow|glacial|slowest", 50.0, 85.0),
    (r"mid[- ]?tempo|medium[- ](?:tempo|paced?)|moderate[- ](?:tempo|paced?)|mid[- ]paced?|walking pace", 95.0, 125.0),
    (r"(?:chill|relaxed|easy|laid[- ]?back|gentle|lazy|low|slow|slower|lower)[- ](?:tempo|bpm|pace)|slow[- ]?paced|"
     r"downtempo", 65.0, 105.0),
    (r"fast(?:er)?|fast[- ]paced|speedy|rapid[- ]fire|high[- ](?:tempo|bpm)|(?:higher|quick|quicker|fast|faster)[- ]"
     r"(?:tempo|bpm|pace)|racing|frantic|breakneck", 140.0, 200.0),
    (r"up[- ]?tempo", 120.0, 180.0),
    (r"slow(?:er)?", 60.0, 100.0),
)

#: Words before a tempo word that turn it around: "not too fast", "nothing slow".
TEMPO_NEGATION = r"(?:not|no|nothing|never|isn'?t|without|avoid|none)(?: (?:too|so|very|overly|that|super|really))? $"

EXPLICIT_ALLOW = (r"explicit (?:is |are |lyrics are |versions? (?:is |are )?)?(?:fine|ok|okay|allowed|welcome|please|"
                  r"cool|good|encouraged)|explicit versions?|(?:swearing|cursing|profanity|cussing) (?:is |are )?"
                  r"(?:fine|ok|okay|allowed|welcome)|uncensored|dirty versions?|nsfw|"
                  r"(?:don'?t|do not|dont) care about (?:explicit|swearing|cursing)|explicit allowed|"
                  r"allow explicit|include explicit|with explicit")

EXPLICIT_EXCLUDE = (r"non[- ]?explicit|(?:no|not|nothing|without|zero|avoid|skip|exclude|excluding) (?:any )?"
                    r"(?:explicit|explict|explicits|swearing|swear ?words|cursing|curse ?words|cussing|cuss ?words|profanity|"
                    r"bad words|bad language|parental advisory|dirty lyrics|foul language|vulgar\w*|f bombs?)|"
                    r"explicit[- ]free|clean (?:versions?|edits?|lyrics|only|songs|music|tracks|playlist|mix)|"
                    r"clean|kid[- ]?friendly|(?<!no )(?<!not )(?<!without )(?:kids?|children|child|toddlers?)|family[- ]?friendly|family|"
                    r"radio (?:edits?|versions?)|radio[- ]friendly|sfw|safe for (?:my |the |our )?(?:work|kids|children|family|school|office)|"
                    r"work[- ]?safe|office[- ]?safe|pg|pg[- ]13|g[- ]rated|wholesome|censored|grandkids|"
                    r"grandson|granddaughter|classroom|nursery rhymes?|baby shower|my baby'?s|students|"
                    r"(?:[1-9]|1[0-2])[- ]?(?:(?:years?|yrs?)[- ]?olds?|yos?)|little ones?|kiddos?|youngsters|preschool\w*|"
                    r"kindergarten|elementary school|school bus|grandchildren|(?:my|our) (?:son|daughter|nephew|niece)s?|"
                    r"grandma|grandpa|grandmother|grandfather|grandparents|nana|all ages|"
                    r"school (?:bus|disco|dance|party|parties|assembly|run|trip)|primary school|sleepover|playdate|"
                    r"teenagers?|teens(?! pop)|tweens?|(?:my|our) teen|middle school|high school (?:dance|party|prom)|prom|homecoming|"
                    r"1[3-7][- ]?(?:(?:years?|yrs?)[- ]?olds?|yos?)")  # teens: clean, not the kid-safe rule

#: Kids and family listening (read before EXPLICIT_EXCLUDE, which also claims most of these words): the clean
#: policy plus the kid-safe rule (tools/kid_safe.py). Office, radio and "safe for work" prompts stay clean only;
#: grandparents, sons and daughters alone may be grown-ups.
KIDS = (r"kid[- ]?friendly|kid[- ]?safe|(?<!no )(?<!not )(?<!without )(?:kids?|children|child|toddlers?)|kiddos?|"
        r"little ones?|youngsters|family[- ]?friendly|family|families|safe for (?:my |the |our )?(?:kids|children|family|school)|"
        r"g[- ]rated|wholesome|all ages|grandkids|grandchildren|grandsons?|granddaughters?|classroom|nursery(?: rhymes?)?|"
        r"preschool\w*|kindergarten|(?:elementary|primary) school|school (?:bus|disco|dance|party|parties|assembly|run|trip)|"
        r"(?:[1-9]|1[0-2])[- ]?(?:(?:years?|yrs?)[- ]?olds?|yos?)|(?:my|our) baby'?s|babies|sleepover|playdate")

#: "clean" as a verb (chores), not a content policy: "while I clean", "clean out my basement", "clean up".
CLEAN_VERB = r"(?:\b(?:i|we|to|while|and|gonna|will|must|need to)\s+clean\b|\bclean\s+(?:out|up|the|my|our|house|room|car))"

DISCOVERY_HIGH = (r"deep(?:er)? cuts?|hidden gems?|gems|obscure|lesser[- ]known|little[- ]known|"
                  r"not (?:that |so |too |very )?(?:popular|mainstream|well[- ]known|famous)|unknown|undiscovered|"
                  r"b[- ]sides?|rarities|new to me|(?:help me )?discover\w*|something (?:new|different|fresh)|"
                  r"fresh finds|surprise me|off the beaten (?:path|track)|non[- ]?mainstream|unheard|"
                  r"never heard|haven'?t heard|niche|under the radar|underrated|new artists|newer artists")

#: Read without claiming the word, so 'underground hip hop' is still a genre.
DISCOVERY_HIGH_SOFT = r"underground"

DISCOVERY_LOW = (r"greatest hits|hits|hit songs|\bclassics\b|"
                 r"all the classics|most popular|popular|top \d+|top 40|top forty|charts?|chart[- ]topp\w+|"
                 r"anthems|well[- ]known|mainstream|famous|everyone knows|everybody knows|crowd[- ]pleasers?|"
                 r"sing[- ]?alongs?|singalong|karaoke|fan favou?rites|biggest|greatest|of all time|"
                 r"throwbacks?|songs i know|familiar|old favou?rites|standards|evergreens?|best of")

TASTE_HIGH = (r"(?:based on |matching |from )?(?:my (?:own )?tastes?|what i (?:usually |normally )?(?:like|love|listen to)|"
              r"the (?:music|songs|stuff) i (?:like|love|listen to)|my (?:history|likes|listening|library))|"
              r"for me|what i (?:usually |normally )?"
              r"(?:like|love|listen to)|stuff i (?:like|love)|songs i (?:like|love)|music i (?:like|love)|"
              r"my (?:usual|favou?rites|favs|faves|history|library|likes|style|kind of music|listening)|"
              r"personali[sz]ed|tailored|curated for me|my vibe")

TASTE_LOW = (r"not my usual|outside (?:of )?my comfort zone|different from (?:my usual|what i)|ignore my (?:taste|history)|"
             r"not based on my|break out of my|out of my (?:bubble|comfort zone)|something different|surprise me|"
             r"new to me|haven'?t heard|never heard")

NARRATION_NONE = (r"no (?:talking|talk|chatter|chat|commentary|narration|narrator|dj|announcer|announcements|"
                  r"interruptions|voice ?overs?|intros?|speaking|host)|just (?:the )?(?:music|songs|tunes)|"
                  r"music only|only music|without (?:the |any )?(?:dj|talking|"
                  r"commentary|narration|chatter|interruptions|intros)|skip the (?:talk|talking|intros|chatter|dj)|"
                  r"(?:don'?t|do not|dont) talk|silent dj|quiet dj|no words between")

NARRATION_BRIEF = (r"(?:brief|short|quick|tiny|small) (?:intro|introduction|narration|commentary)|"
                   r"(?:just|only) (?:an?|the) intro|minimal (?:talking|talk|narration|commentary|chatter)|"
                   r"less (?:talking|talk|chatter|commentary)|keep (?:the )?(?:talk|talking|chatter|narration) "
                   r"(?:short|brief|minimal|to a minimum)|not too much (?:talking|talk|chatter)")

NARRATION_RADIO = (r"radio[- ]style|like a radio (?:show|station)|full dj|talk between (?:songs|tracks)|"
                   r"dj (?:intros|commentary|banter)|with (?:a )?dj|narrat\w+ between")

#: Words that start a negated list: "no country or rap", "without Drake", "anything but EDM".
NEGATION_TRIGGER = (r"w/o|anything but|everything but|all but|but no|hold the|none of|leave out|no more|"
                    r"(?:don'?t|do not|dont|never) (?:play|include|want|add|put|give me)|not into|not feeling|"
                    r"not in the mood for|can'?t stand|sick of|tired of|hate|without|except(?: for)?|excluding|"
                    r"exclude|minus|skip|avoid|nothing|not|no|zero|nor|ban|banned|less")

NEGATION_FILLERS = frozenset({"any", "the", "too", "so", "very", "overly", "that", "much", "of", "by", "from",
                              "songs", "music", "tracks", "stuff", "more", "anything", "a", "an", "artists",
                              "like", "really", "super", "crazy", "including", "with", "some", "all"})

#: Words that make a following name an artist reference, strong (fuzzy allowed) or weak (exact only).
ARTIST_STRONG = (r"sounds? like|sounding like|similar to|in the style of|style of|a la|ala|artists? like|"
                 r"bands? like|singers? like|rappers? like|groups? like|stuff like|music like|songs like|vibes? like|"
                 r"fans? of|inspired by|influenced by|such as|songs by|music by|tracks by|something like|"
                 r"anything by|by|think|featuring|feat|ft|start with|starting with|mood for|this is")
ARTIST_WEAK = r"like|with|from|plus|love|loves|into|include|includes|including|some|more|and|of|play|listen to|also"
ARTIST_SUFFIX = frozenset({"songs", "song", "tracks", "vibes", "vibe", "type", "style", "esque", "fans", "stuff",
                           "music", "hits", "records", "albums", "deep", "radio", "mix", "and", "or", "playlist"})

NUMBER_WORDS: dict[str, float] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12, "two dozen": 24,
    "a couple": 2, "a couple of": 2, "a handful of": 5, "a few": 4, "a half": 0.5, "half an": 0.5, "half a": 0.5,
    "an": 1, "a": 1, "quarter of an": 0.25,
}

DECADE_WORDS: dict[str, int] = {
    "fifties": 1950, "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990, "noughties": 2000,
    "aughts": 2000, "two thousands": 2000, "twenty tens": 2010,
}

#: Words kept out of the semantic query: requests and politeness, not descriptions of music.
QUERY_FILLER = frozenset("""
a an the i i'd id im i'm me my we us our you your can could would will please pls plz give make create build
want wanna need like love get let lets let's some any of for to with and or but that this is are be playlist
playlists play list mix songs song tracks track music tunes something stuff hey hi hello there just really
very so also kind sort bit few more about around roughly approximately only put together listen listening
thanks thank it its it's do does set good great nice awesome perfect best in on at as from by up tempo pace paced
sounds sound similar style artists artist bands singers think such including looking created have has had
when while should started start off out not im am was were then than what which who how where if into
no nothing without them they
""".split())
