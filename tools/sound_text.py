"""The title-free document of a track: who plays it, its genres, how it sounds and when, never its title.
Embedded once into data/vectors/tracks-sound-minilm-l6-int8.npz (`python -m tools.sound_text`), so mood and
activity prompts can use the artist and genre text without matching title words."""

from __future__ import annotations

from core.settings import Settings
from core.types import Track
from tools.embeddings import vector_path

SOUND_VECTORS = "tracks-sound-minilm-l6-int8.npz"


def sound_text(t: Track) -> str:
    from tools.catalog_build import track_text

    return track_text(t, title=False)


def build(settings: Settings) -> None:
    import numpy as np

    from tools import shipped
    from tools.embeddings import DIM, embed_all, local_embedder, text_hash
    from tools.ingest import open_catalog

    catalog = open_catalog(settings)
    tracks = list(catalog.tracks)
    texts = [sound_text(t) for t in tracks]
    vectors = np.zeros((len(tracks), DIM), dtype=np.float32)
    path = vector_path(SOUND_VECTORS)
    if path.exists():  # documents unchanged since the last build keep their vectors
        positions, found = shipped.lookup(path, [(t.id, text_hash(x)) for t, x in zip(tracks, texts, strict=True)])
        if positions:
            vectors[positions] = found
        have = set(positions)
    else:
        have = set()
    missing = [n for n in range(len(tracks)) if n not in have]
    if missing:
        vectors[missing] = embed_all(local_embedder(), [texts[n] for n in missing])
    print(f"{len(missing):,} of {len(tracks):,} title-free documents embedded")
    shipped.write(path, [t.id for t in tracks], texts, vectors)


if __name__ == "__main__":
    build(Settings())


_by_catalog: dict[int, object] = {}


def catalog_sound_text(catalog):
    """The catalog's title-free text vectors as a SoundIndex (None without the shipped file), computed once per
    catalog and kept beside its store build; tracks whose document changed since the file was built get none."""
    key = id(catalog)
    if key not in _by_catalog:
        _by_catalog.clear()
        _by_catalog[key] = _load(catalog)
    return _by_catalog[key]


def _load(catalog):
    import numpy as np

    from tools import shipped
    from tools.embeddings import DIM, text_hash
    from tools.sound import RANK, SoundIndex, project

    path = vector_path(SOUND_VECTORS)
    if not path.exists():
        return None
    build = getattr(catalog, "build", None)
    stamp = (shipped.expected_sum(path) or "none")[:16]
    cache = build.path / f"sound-text-{stamp}-{RANK}.npz" if build is not None else None
    if cache is not None and cache.exists():
        with np.load(cache) as d:
            if d["rows"].shape[0] == len(catalog):
                return SoundIndex(rows=d["rows"].astype(np.float32), basis=d["basis"])
    keys = [(t.id, text_hash(sound_text(t))) for t in catalog.tracks]
    positions, found = shipped.lookup(path, keys)
    vectors = np.zeros((len(catalog), DIM), dtype=np.float32)
    if positions:
        vectors[positions] = found
    index = project(vectors)
    if cache is not None:
        try:
            np.savez(cache, rows=index.rows.astype(np.float16), basis=index.basis)
        except OSError:
            pass
    return index
