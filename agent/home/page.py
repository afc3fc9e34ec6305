"""The Home page: shelves computed in order (cheapest first) so a stream can send each as soon as it is ready,
and a per-listener cache keyed by an ETag that every replica computes alike (listener revision in the state
database, profile history, content settings, the hour, the catalog build, the listener's library sync)."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime

from agent.deps import Deps
from agent.home.models import Home, Shelf
from agent.home.shelves import SHELVES, Context, context
from agent.listeners import check_known
from agent.state_db import revision
from core.errors import SegueError

log = logging.getLogger("segue.home")
CACHE_SIZE = 1024
_cache: OrderedDict[str, tuple[str, list[Shelf]]] = OrderedDict()
_lock = threading.Lock()


def etag_of(ctx: Context, deps: Deps) -> str:
    profile, policy = ctx["profile"], ctx["policy"]
    rev = revision(deps.playlists.db, ctx["user_id"]) if deps.playlists is not None else 0
    build = deps.catalog.build.build_id if deps.catalog.build else "memory"
    parts = [ctx["user_id"], rev, getattr(profile, "history_size", 0), getattr(profile, "last_event", None),
             policy.model_dump_json(), ctx["now"].strftime("%Y-%m-%dT%H"), build, ctx["library"]]
    return 'W/"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:20] + '"'


def prepare(user_id: str, deps: Deps, now: datetime | None = None) -> tuple[Context, str]:
    """The listener's context and the page's current ETag (cheap: no shelf is computed)."""
    check_known(user_id, deps)
    ctx = context(user_id, deps, (now or datetime.now(UTC)).astimezone(UTC))
    return ctx, etag_of(ctx, deps)


def shelves(ctx: Context, etag: str, deps: Deps) -> Iterator[Shelf]:
    """Each shelf as soon as it is ready; from the cache when nothing changed. A shelf that fails is left out
    (and logged): the rest of the page still comes."""
    user_id = ctx["user_id"]
    with _lock:
        hit = _cache.get(user_id)
    if hit is not None and hit[0] == etag:
        yield from hit[1]
        return
    done: list[Shelf] = []
    for build in SHELVES:
        try:
            shelf = build(ctx, deps)
        except SegueError as exc:
            log.warning("home shelf %s for %s left out: %s", build.__name__, user_id, exc)
            continue
        if shelf is not None:
            done.append(shelf)
            yield shelf
    remember(user_id, etag, done)


def remember(user_id: str, etag: str, done: list[Shelf]) -> None:
    with _lock:
        _cache[user_id] = (etag, done)
        _cache.move_to_end(user_id)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def home(user_id: str, deps: Deps, now: datetime | None = None) -> Home:
    ctx, etag = prepare(user_id, deps, now)
    return Home(user_id=user_id, etag=etag, shelves=list(shelves(ctx, etag, deps)))
