"""The state database behind playlists, prompted playlists and their versions: SQLite on local disk by
default, PostgreSQL when `SEGUE_DATABASE_URL` is set — the same SQL through SQLAlchemy Core, and versioned
schema migrations applied at open (each in its own transaction, recorded in `schema_migrations`)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError

from core.errors import StoreError
from tools.store_health import StoreUnavailable

Migration = tuple[int, str, Sequence[str]]  # (version, what it does, statements)

__all__ = ["Database", "IntegrityError", "Migration", "open_database"]


class Database:
    """One engine (a pool of connections), safe to share between threads and with other processes."""

    def __init__(self, engine: Engine, label: str) -> None:
        self.engine = engine
        self.label = label

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any error (nothing half-written)."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except DBAPIError as exc:
            if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
                raise StoreUnavailable(f"database {self.label} is unavailable: {first_line(exc)}") from exc
            raise StoreError(f"database {self.label} failed: {first_line(exc)}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"database {self.label} failed: {first_line(exc)}") from exc

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.begin() as conn:
            return list(conn.execute(text(sql), params))

    def run(self, sql: str, **params: Any) -> int:
        with self.begin() as conn:
            return conn.execute(text(sql), params).rowcount

    def check(self) -> bool:
        """True when the database answers (readiness)."""
        try:
            self.rows("SELECT 1")
            return True
        except StoreError:
            return False

    def migrate(self, migrations: Sequence[Migration]) -> list[int]:
        """Apply the migrations not yet applied, in version order; returns the versions applied now."""
        with self.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS schema_migrations "
                              "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"))
        applied: list[int] = []
        for version, name, statements in sorted(migrations):
            try:
                with self.begin() as conn:
                    done = conn.execute(text("SELECT 1 FROM schema_migrations WHERE version = :v"), {"v": version}).first()
                    if done:
                        continue
                    for statement in statements:
                        conn.execute(text(statement))
                    conn.execute(text("INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)"),
                                 {"v": version, "n": name, "t": time.time()})
                applied.append(version)
            except IntegrityError:  # another process applied it at the same moment
                continue
        return applied

    def versions(self) -> list[int]:
        return [r[0] for r in self.rows("SELECT version FROM schema_migrations ORDER BY version")]

    def dispose(self) -> None:
        self.engine.dispose()


def first_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text_[0] if text_ else type(exc).__name__


def sqlite_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10.0, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "synchronous=NORMAL", "foreign_keys=ON"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    return engine


def postgres_engine(url: str) -> Engine:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         connect_args={"connect_timeout": 5})


def open_database(url: str | None, sqlite_path: Path, migrations: Sequence[Migration]) -> Database:
    """The configured database, migrated: PostgreSQL at `url`, else SQLite at `sqlite_path`."""
    try:
        if url:
            db = Database(postgres_engine(url), redact(url))
        else:
            db = Database(sqlite_engine(sqlite_path), repr(str(sqlite_path)))
        db.migrate(migrations)
        return db
    except (SQLAlchemyError, OSError, ValueError) as exc:
        raise StoreError(f"database {redact(url) if url else repr(str(sqlite_path))} is unusable: {first_line(exc)}") from exc


def redact(url: str) -> str:
    """A database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except Exception:
        return "'<database url>'"
