"""Shared fixtures: real databases (SQLite always, PostgreSQL when ZWGK_TEST_PG is set), the sample
city, and a helper that runs the real `zwgk` command in a subprocess (Twisted's reactor cannot be
restarted inside one test process)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("ZWGK_TEST_PG")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, or a new schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'zwgk.db'}"
        return
    yield from _pg_database()


def _pg_database():
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
                             if PG_URL.startswith("postgresql://") else PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def session(db_url):
    """A session on a freshly migrated database of the current backend."""
    from store.db import make_engine, session_factory
    from store.migrate import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    with session_factory(engine)() as s:
        yield s
    engine.dispose()


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def run_zwgk(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300) -> CliResult:
    """Run the real command line, as a user would."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("ZWGK_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "scheduler.cli", *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def zwgk():
    return run_zwgk


@pytest.fixture(scope="session")
def sample_city():
    from samplecity.server import start

    city = start()
    yield city
    city.stop()


@dataclass
class AuditedCity:
    city: object
    db: str
    sites: Path
    findings: list
    crawl: CliResult
    check: CliResult


def _audit(city, db: str, workdir: Path) -> AuditedCity:
    sites = city.write_sites(workdir / "sites.yaml")
    crawl = run_zwgk("--db", db, "crawl", str(sites), "--fast")
    assert crawl.code == 0, crawl.stderr
    check = run_zwgk("--db", db, "check", str(sites))
    assert check.code == 0, check.stderr + check.stdout
    found = run_zwgk("--db", db, "findings", "--format", "json")
    assert found.code == 0, found.stderr
    return AuditedCity(city, db, sites, found.json(), crawl, check)


@pytest.fixture(scope="session", params=BACKENDS)
def audited_city(request, tmp_path_factory):
    """A fresh sample city crawled and checked once per backend through the CLI; tests read the results
    (and the city's request counters)."""
    from samplecity.server import start

    workdir = tmp_path_factory.mktemp(f"city-{request.param}")
    with start() as city:
        if request.param == "sqlite":
            yield _audit(city, f"sqlite:///{workdir / 'zwgk.db'}", workdir)
            return
        gen = _pg_database()
        db = next(gen)
        try:
            yield _audit(city, db, workdir)
        finally:
            gen.close()
