"""The background refresher `segue serve` runs: one thread that wakes every interval (with jitter, so replicas
spread out), refreshes a bounded batch of due prompted playlists, and stops promptly at shutdown. Replicas may
all run one: the store writes each version once."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from agent.deps import Deps
from agent.prompted.refresh import refresh_due
from core.errors import SegueError

log = logging.getLogger("segue.prompted")
BATCH = 20


class RefreshWorker:
    def __init__(self, deps: Callable[[], Deps | None], interval_s: float, batch: int = BATCH) -> None:
        self.deps = deps
        self.interval_s = interval_s
        self.batch = batch
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="segue-refresh", daemon=True)

    def start(self) -> RefreshWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s * random.uniform(0.8, 1.2)):
            try:
                self.run_once()
            except Exception:  # never let one bad round end the refresher
                log.exception("background refresh round failed")

    def run_once(self) -> dict[str, int]:
        try:
            deps = self.deps()
            if deps is None or deps.prompted is None:
                return {}
            done = refresh_due(deps, deps.prompted, limit=self.batch)
        except SegueError as exc:  # the catalog or the store is down: try again next round
            log.warning("background refresh skipped: %s", exc)
            return {}
        finally:
            self.rounds += 1
        if any(done.values()):
            log.info("background refresh: %s", done)
        return done
