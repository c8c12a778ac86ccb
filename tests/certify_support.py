"""Shared helpers for the certification tests: keys, recorded calls, and a throwaway PostgreSQL.

PostgreSQL: set COLLECTOR_SIM_TEST_PG_URL to use a running server, or have Debian's postgresql
package installed and a throwaway cluster is started on a Unix socket for the test session.
Otherwise the PostgreSQL variants are skipped, saying why.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "data" / "certify" / "good"
KEY = "test-signing-key-0123456789abcdef"
FOUNDATION = ["angry_card_reminder", "evasive_card_next_week", "hardship_card_job_loss", "lost_contact_mother"]


def env_cli(*args, db=None, key=KEY, cwd=None, official=None):
    """Run the CLI with a store and key of the test's own (never the user's)."""
    env = dict(os.environ)
    env.pop("COLLECTOR_SIM_KEY_FILE", None)
    env.pop("COLLECTOR_SIM_OFFICIAL", None)
    if official is not None:
        env["COLLECTOR_SIM_OFFICIAL"] = str(official)
    env["COLLECTOR_SIM_KEY"] = key or ""
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))  # this tree, from any cwd
    if db is not None:
        env["COLLECTOR_SIM_DB"] = str(db)
    else:
        env.pop("COLLECTOR_SIM_DB", None)
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=240)


def replies_dir(tmp: Path, changes: dict[str, list[str]] | None = None, name: str = "replies") -> Path:
    """A copy of the good replies, with some files replaced."""
    out = tmp / name
    out.mkdir(parents=True, exist_ok=True)
    for f in GOOD.glob("*.txt"):
        shutil.copy(f, out / f.name)
    for scenario, lines in (changes or {}).items():
        (out / f"{scenario}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def good_lines(scenario: str) -> list[str]:
    return [line for line in (GOOD / f"{scenario}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


class _Postgres:
    """A throwaway PostgreSQL cluster on a Unix socket, or a reason why there is none."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.skip_reason: str | None = None
        self._dir: str | None = None
        self._pg_ctl: list[str] | None = None

    def start(self) -> None:
        env_url = os.environ.get("COLLECTOR_SIM_TEST_PG_URL")
        try:
            import psycopg  # noqa: F401
        except ImportError:
            self.skip_reason = "PostgreSQL tests skipped: the psycopg driver is not installed (pip install -e '.[test]')"
            return
        if env_url:
            self.url = env_url
            return
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        pg_ctl = shutil.which("pg_ctl") or (bins[-1] if bins else None)
        if not pg_ctl:
            self.skip_reason = ("PostgreSQL tests skipped: no PostgreSQL server found (install Debian's "
                                "'postgresql' package, or set COLLECTOR_SIM_TEST_PG_URL)")
            return
        bindir = Path(pg_ctl).parent
        self._dir = tempfile.mkdtemp(prefix="collector-sim-pg-")
        data, sock = Path(self._dir) / "data", Path(self._dir) / "sock"
        sock.mkdir()
        prefix: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            runuser = shutil.which("runuser")
            if runuser is None:
                self.skip_reason = "PostgreSQL tests skipped: running as root without runuser to drop privileges"
                return
            shutil.chown(self._dir, "postgres")
            shutil.chown(sock, "postgres")
            prefix = [runuser, "-u", "postgres", "--"]
        port = str(20000 + os.getpid() % 20000)
        try:
            subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                     "-E", "UTF8", "--locale=C", "--no-sync"],
                           check=True, capture_output=True, timeout=120)
            self._pg_ctl = prefix + [str(bindir / "pg_ctl"), "-D", str(data)]
            subprocess.run(self._pg_ctl + ["-w", "-t", "60", "-l", str(Path(self._dir) / "log"), "-o",
                                           f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off", "start"],
                           check=True, capture_output=True, timeout=90)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            self.skip_reason = (f"PostgreSQL tests skipped: could not start a server ({exc.__class__.__name__}: "
                                f"{detail.decode(errors='replace').strip().splitlines()[-1:] or ''})")
            return
        self.url = f"postgresql+psycopg://postgres@/postgres?host={sock}&port={port}"

    def new_database(self) -> str:
        """A fresh, empty database on the server (one per test)."""
        import sqlalchemy as sa

        assert self.url is not None
        name = "cs_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return sa.engine.make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        if self._pg_ctl is not None:
            done = subprocess.run(self._pg_ctl + ["-m", "immediate", "stop"], capture_output=True, timeout=60)
            pidfile = Path(self._dir or "") / "data" / "postmaster.pid"
            if done.returncode != 0 and pidfile.exists():  # our own server, by the pid it wrote
                try:
                    os.kill(int(pidfile.read_text().split()[0]), 9)
                except (OSError, ValueError):
                    pass
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    pg = _Postgres()
    pg.start()
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh results store: SQLite always, PostgreSQL when a server can be had."""
    if request.param == "sqlite":
        return str(tmp_path / "results.sqlite3")
    pg = request.getfixturevalue("postgres")
    if pg.url is None:
        pytest.skip(pg.skip_reason)
    return pg.new_database()
