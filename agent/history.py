"""Play events in, from the CLI (`segue profile import`) and the API (`POST /users/{id}/history`): music tracks
go to the profile store, podcast episodes (talk-catalog ids) to the talk history that the daylist and talk
topics read. The talk catalog is opened only when an event's id is not a music track."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from agent.deps import Deps
from core.errors import StoreError
from tools.profiles import ImportReport, PlayEvent, check_user_id

log = logging.getLogger("segue.history")


def record_history(user_id: str, events: Sequence[PlayEvent], deps: Deps) -> ImportReport:
    """Store a batch: music events resolved against the catalog, episode ids in the talk history; report both."""
    check_user_id(user_id)
    if deps.profiles is None:
        raise StoreError("the profile store is not available")
    music, talk = split_events(events, deps)
    talk_stored = _add_talk(user_id, talk, deps) if talk else 0
    if music:
        report = deps.profiles.add_events(user_id, music)
    else:
        report = ImportReport(user_id=user_id, received=0, imported=0)
    if deps.playlists is not None and (report.imported or talk_stored):
        from agent.state_db import bump_revision

        bump_revision(deps.playlists.db, user_id)  # this listener's Home is out of date, on every replica
    return report.model_copy(update={"received": len(events), "imported": report.imported + talk_stored,
                                     "talk_imported": talk_stored})


def split_events(events: Sequence[PlayEvent], deps: Deps) -> tuple[list[PlayEvent], list[PlayEvent]]:
    """(music events, episode events): an event is an episode when its id is a talk-catalog id and not a track."""
    index = deps.catalog.index
    maybe_talk = [e for e in events if e.track_id and e.track_id not in index]
    if not maybe_talk:
        return list(events), []
    try:
        talk_catalog = deps.talk
    except StoreError as exc:  # no talk store here: the music events still count, unknown ids stay unknown
        log.warning("talk catalog unavailable, history ids resolved against music only: %s", exc)
        return list(events), []
    episodes = {e.track_id for e in maybe_talk if talk_catalog.get(e.track_id or "") is not None}
    return [e for e in events if e.track_id not in episodes], [e for e in events if e.track_id in episodes]


def _add_talk(user_id: str, events: Sequence[PlayEvent], deps: Deps) -> int:
    from tools.talk_profile import TalkEvent, talk_history

    talk_events = [TalkEvent(item_id=e.track_id or "", timestamp=e.timestamp, liked=e.liked, skipped=e.skipped)
                   for e in events]
    history = talk_history(deps.settings)
    assert history is not None
    stored, _ = history.add(user_id, talk_events, deps.talk)
    return stored
