"""A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a temp dir, `pg_ctl` on a free
127.0.0.1 port (and a private unix-socket dir), stopped and removed at the end. PostgreSQL refuses to run as
root, so as root the cluster runs as an unprivileged user (`postgres` when the Debian package made one, else
`nobody`)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "segue"
FAST = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off",)  # tests: speed over durability


def binaries() -> Path | None:
    """The directory holding initdb and pg_ctl (PATH first, then Debian's /usr/lib/postgresql/<n>/bin)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if (Path(bindir) / "initdb").exists() and (Path(bindir) / "pg_ctl").exists():
            return Path(bindir)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_as_user() -> str | None:
    """None when not root; else the unprivileged user that runs the cluster."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("SEGUE_PG_USER"), "postgres", "nobody"):
        if name:
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL")


class Cluster:
    """One cluster. `start()`/`stop()` may be called again (fault tests stop and restart it on the same port)."""

    def __init__(self, bindir: Path, fast: bool = True) -> None:
        self.bindir = bindir
        self.user = run_as_user()
        self.root = Path(tempfile.mkdtemp(prefix="segue-pg-"))
        self.data, self.sockets, self.log = self.root / "data", self.root / "sock", self.root / "postgres.log"
        self.port = free_port()
        self.options = FAST if fast else ()
        self.sockets.mkdir()
        if self.user:
            for path in (self.root, self.sockets):
                shutil.chown(path, self.user)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale",
                  "--no-sync")

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-2000:]}")
        return done

    def start(self) -> None:
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} -c max_connections=200 " + " ".join(self.options)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                             autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"PostgreSQL did not listen on 127.0.0.1:{self.port}")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(fast: bool = True) -> Cluster:
    """A started cluster; raises RuntimeError when the binaries are missing or it does not start."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found; install the Debian package `postgresql`")
    cluster = Cluster(bindir, fast)
    for _ in range(3):  # another process may take the free port between picking and binding it
        try:
            cluster.start()
            return cluster
        except RuntimeError:
            log = cluster.log.read_text(errors="replace") if cluster.log.exists() else ""
            if "could not bind" not in log:
                cluster.remove()
                raise
            cluster.port = free_port()
    cluster.remove()
    raise RuntimeError("PostgreSQL could not bind a free port")
