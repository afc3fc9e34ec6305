"""The PostgreSQL test cluster: started by the fixture as a non-root user on 127.0.0.1 only, and reachable
through the state database layer while the no-network guard is on."""

from __future__ import annotations

import os
import socket

import pytest

pytestmark = pytest.mark.postgres


def test_cluster_answers_on_loopback_only(pg_cluster, pg_url):
    from tools.database import open_database

    db = open_database(pg_url, None, [])  # type: ignore[arg-type]
    try:
        assert db.dialect == "postgresql"
        assert db.rows("SHOW listen_addresses")[0][0] == "127.0.0.1"
        owner = db.rows("SELECT current_setting('data_directory')")[0][0]
        assert owner.startswith(str(pg_cluster.root))
    finally:
        db.dispose()
    if os.geteuid() == 0:
        assert pg_cluster.user and pg_cluster.user != "root"
    with socket.socket() as s:  # the guard still refuses anything but loopback
        with pytest.raises(RuntimeError, match="real network"):
            s.connect(("192.0.2.1", pg_cluster.port))


def test_a_fresh_database_is_empty(fresh_pg_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(fresh_pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar() == 0
    finally:
        engine.dispose()
