"""Idempotent history writes into the SQLite profile store: every event has a stable key (a listen's
timestamp and identity, a Subsonic song's play number) kept beside it, so a re-import stores nothing twice
and a re-sync of a server replaces what the server no longer reports."""

from __future__ import annotations

from typing import Any

from tools.library.listens import Listen, ListenReport, play_event

SCHEMA = """
CREATE TABLE IF NOT EXISTS event_keys (
  user_id TEXT NOT NULL, key TEXT NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (user_id, key));
"""


def add_listens(store: Any, user_id: str, listens: list[Listen], source: str, mbids: dict[str, str] | None = None,
                replace_prefix: str | None = None) -> ListenReport:
    """Resolve each listen (its MBID through the libraries' MBID index, else artist + title) and store the new
    ones; with `replace_prefix`, keyed events under that prefix that are not in `listens` are removed."""
    from tools.profiles import check_user_id

    check_user_id(user_id)
    mbids = mbids or {}
    resolved: list[tuple[Listen, str]] = []
    unmatched: list[str] = []
    for listen in listens:
        tid = store.resolver.resolve(listen.track_id or mbids.get(listen.mbid or ""), listen.artist, listen.title)
        if tid is None:
            unmatched.append(f"{listen.artist} – {listen.title}")
        else:
            resolved.append((listen, tid))
    with store.transaction() as db:
        db.execute(SCHEMA.strip().rstrip(";"))
        known = {k for (k,) in db.execute("SELECT key FROM event_keys WHERE user_id = ?", (user_id,))}
        removed = _remove_stale(db, user_id, known, {listen.key for listen, _ in resolved}, replace_prefix)
        new = [(listen, tid) for listen, tid in resolved if listen.key not in known]
        db.execute("INSERT INTO users (user_id) VALUES (?) ON CONFLICT DO NOTHING", (user_id,))
        for listen, tid in new:
            e = play_event(listen, tid)
            cur = db.execute("INSERT INTO events (user_id, track_id, ts, liked, skipped) VALUES (?, ?, ?, ?, 0)",
                             (user_id, tid, e.timestamp.timestamp() if e.timestamp else None, int(e.liked)))
            db.execute("INSERT INTO event_keys (user_id, key, event_id) VALUES (?, ?, ?)", (user_id, listen.key, cur.lastrowid))
        if new or removed:
            db.execute("UPDATE users SET version = version + 1 WHERE user_id = ?", (user_id,))
    return ListenReport(user_id=user_id, source=source, received=len(listens), imported=len(new),
                        already=len(resolved) - len(new), unmatched=len(unmatched),
                        unmatched_examples=unmatched[:20], removed=removed)


def _remove_stale(db: Any, user_id: str, known: set[str], wanted: set[str], prefix: str | None) -> int:
    if not prefix:
        return 0
    stale = [k for k in known if k.startswith(prefix) and k not in wanted]
    for key in stale:
        db.execute("DELETE FROM events WHERE id = (SELECT event_id FROM event_keys WHERE user_id = ? AND key = ?)",
                   (user_id, key))
        db.execute("DELETE FROM event_keys WHERE user_id = ? AND key = ?", (user_id, key))
    known.difference_update(stale)
    return len(stale)
