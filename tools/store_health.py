"""Is the catalog's system of record reachable? In server mode (a build ingested into a Chroma server) the
server is the system of record: a request checks its heartbeat (cached for about a second) and is refused
with 503 + Retry-After while it is down. An embedded store has nothing to reach and is always up."""

from __future__ import annotations

import threading
import time
from typing import Any

from core.errors import StoreError

HEARTBEAT_TTL_S = 1.0
HEARTBEAT_TIMEOUT_S = 1.0
RETRY_AFTER_S = 5


class StoreUnavailable(StoreError):
    """A store's server (the Chroma server holding the catalog, the PostgreSQL state database) does not answer;
    retrying later may succeed."""

    title = "Store unavailable"
    retry_after = RETRY_AFTER_S


_lock = threading.Lock()
_cache: dict[str, tuple[float, str | None]] = {}  # url → (checked at, failure reason or None)


def server_url(catalog: Any) -> str | None:
    """The Chroma server URL of the catalog's build, or None for an embedded store."""
    build = getattr(catalog, "build", None)
    if build is None or build.manifest.get("backend") != "chroma-server":
        return None
    return build.manifest.get("chroma_url")


def heartbeat(url: str) -> str | None:
    """None when the server answers its heartbeat, else a short reason. Cached for HEARTBEAT_TTL_S; one
    caller probes while the others wait for its answer."""
    with _lock:
        hit = _cache.get(url)
        if hit is not None and time.monotonic() - hit[0] < HEARTBEAT_TTL_S:
            return hit[1]
        reason = _probe(url)
        _cache[url] = (time.monotonic(), reason)
        return reason


def _probe(url: str) -> str | None:
    import httpx

    try:
        response = httpx.get(f"{url.rstrip('/')}/api/v2/heartbeat", timeout=HEARTBEAT_TIMEOUT_S)
    except httpx.HTTPError as exc:
        return f"chroma server at {url!r} is unreachable ({exc.__class__.__name__})"
    if response.status_code != 200:
        return f"chroma server at {url!r} answered HTTP {response.status_code}"
    return None


def store_check(catalog: Any) -> str | None:
    """Readiness: None for an embedded store or a live server, else why the server is not usable."""
    url = server_url(catalog)
    return heartbeat(url) if url else None


def require_store(catalog: Any) -> None:
    """Raise StoreUnavailable (→ 503 with Retry-After) when the catalog's Chroma server is down."""
    reason = store_check(catalog)
    if reason:
        raise StoreUnavailable(f"{reason}; try again shortly")


def forget() -> None:
    """Drop cached heartbeats (tests, or after reconfiguration)."""
    with _lock:
        _cache.clear()
