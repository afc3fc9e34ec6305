"""The state database behind playlists, prompted playlists and their versions (and, on PostgreSQL, profiles
and history): SQLite on local disk by default, PostgreSQL when `SEGUE_DATABASE_URL` is set — the same SQL
through SQLAlchemy Core, and versioned schema migrations (each in its own transaction, recorded in a
migrations table per schema; a statement that must differ per dialect is a {dialect: sql} mapping).

A PostgreSQL server that is down at open does not stop the process: the migrations are applied on first use
once it answers, and until then every call raises StoreUnavailable (503 + Retry-After)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError

from core.errors import StoreError
from tools.store_health import StoreUnavailable

Statement = str | Mapping[str, str]  # SQL, or SQL per dialect name ("sqlite", "postgresql")
Migration = tuple[int, str, Sequence[Statement]]  # (version, what it does, statements)
MIGRATIONS_TABLE = "schema_migrations"
log = logging.getLogger("segue.database")

__all__ = ["Database", "IntegrityError", "Migration", "open_database"]


class Database:
    """One engine (a pool of connections), safe to share between threads and with other processes."""

    def __init__(self, engine: Engine, label: str, migrations: Sequence[Migration] = (),
                 table: str = MIGRATIONS_TABLE) -> None:
        self.engine = engine
        self.label = label
        self.table = table
        self._pending: Sequence[Migration] | None = migrations or None  # None once the schema is known current
        self._ready_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def ensure_ready(self) -> None:
        """Apply the migrations not yet known to be applied (once per process; retried while the server is down)."""
        if self._pending is None:
            return
        with self._ready_lock:
            if self._pending is not None:
                self.migrate(self._pending, self.table)
                self._pending = None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any error (nothing half-written)."""
        self.ensure_ready()
        with self._transaction() as conn:
            yield conn

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
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

    def migrate(self, migrations: Sequence[Migration], table: str = MIGRATIONS_TABLE) -> list[int]:
        """Apply the migrations not yet applied, in version order; returns the versions applied now."""
        with self._transaction() as conn:
            self._lock_schema(conn, table)  # CREATE TABLE IF NOT EXISTS itself races on PostgreSQL
            conn.execute(text(f"CREATE TABLE IF NOT EXISTS {table} "
                              "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"))
        applied: list[int] = []
        for version, name, statements in sorted(migrations, key=lambda m: m[0]):
            try:
                with self._transaction() as conn:
                    self._lock_schema(conn, table)
                    done = conn.execute(text(f"SELECT 1 FROM {table} WHERE version = :v"), {"v": version}).first()
                    if done:
                        continue
                    for statement in statements:
                        conn.execute(text(self.sql(statement)))
                    conn.execute(text(f"INSERT INTO {table} (version, name, applied_at) VALUES (:v, :n, :t)"),
                                 {"v": version, "n": name, "t": time.time()})
                applied.append(version)
            except IntegrityError:  # another process applied it at the same moment
                continue
        return applied

    def _lock_schema(self, conn: Connection, table: str) -> None:
        """On PostgreSQL, replicas starting together take turns (a lock held until the transaction ends)."""
        if self.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": table})

    def sql(self, statement: Statement) -> str:
        """The statement for this database's dialect."""
        if isinstance(statement, str):
            return statement
        if self.dialect not in statement:
            raise StoreError(f"no {self.dialect} form of migration statement {next(iter(statement.values()))[:60]!r}")
        return statement[self.dialect]

    def versions(self, table: str = MIGRATIONS_TABLE) -> list[int]:
        return [r[0] for r in self.rows(f"SELECT version FROM {table} ORDER BY version")]

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


def open_database(url: str | None, sqlite_path: Path | None, migrations: Sequence[Migration],
                  table: str = MIGRATIONS_TABLE) -> Database:
    """The configured database, migrated: PostgreSQL at `url`, else SQLite at `sqlite_path`. A PostgreSQL
    server that does not answer yet gives a Database that migrates on first use (a bad URL still raises)."""
    try:
        if url:
            db = Database(postgres_engine(url), redact(url), migrations, table)
        else:
            assert sqlite_path is not None, "a SQLite path or a database URL"
            db = Database(sqlite_engine(sqlite_path), repr(str(sqlite_path)), migrations, table)
        try:
            db.ensure_ready()
        except StoreUnavailable as exc:
            if not url:
                raise
            log.warning("%s; the schema is checked again on first use", exc)
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
