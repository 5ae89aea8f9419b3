"""Shared fixtures: a migrated database (SQLite, and PostgreSQL for marked tests), the app."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, text

from henshin.config import Settings, get_settings
from henshin.db.base import Base
from henshin.db.engine import make_engine
from henshin.db.session import Database
from henshin.kit.secrets import reset_secret_box
from tests.support.postgres import PostgresServer, start_postgres

TEST_KEY = Fernet.generate_key().decode()
os.environ["HENSHIN_SECRET_KEY"] = TEST_KEY
os.environ.setdefault("HENSHIN_RUN_WORKERS_IN_PROCESS", "false")


def create_schema(engine: Engine) -> None:
    """The schema straight from the models (fast); tests/db checks the migrations match it."""
    import henshin.models  # noqa: F401

    Base.metadata.create_all(engine)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrations run once per worker)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI but initdb/pg_ctl were not found")
        pytest.skip("PostgreSQL server binaries not installed (make test installs them)")
    try:
        yield server
    finally:
        try:
            server.stop("immediate")
        finally:
            shutil.rmtree(server.data_dir.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    admin = create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE henshin_template"))
    admin.dispose()
    engine = make_engine(postgres_server.url_for("henshin_template"))
    create_schema(engine)
    engine.dispose()
    return "henshin_template"


def _sqlite_database(tmp_path: Path, template: Path) -> Database:
    path = tmp_path / "henshin.sqlite3"
    shutil.copy(template, path)
    return Database(make_engine(f"sqlite:///{path}"))


def _postgres_database(server: PostgresServer, template: str) -> Database:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE {template}'))
    admin.dispose()
    return Database(make_engine(server.url_for(name)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """A freshly migrated database: every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        db = _sqlite_database(tmp_path, sqlite_template)
    else:
        server = request.getfixturevalue("postgres_server")
        db = _postgres_database(server, request.getfixturevalue("postgres_template"))
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """SQLite only, for tests whose behaviour does not depend on the database."""
    db = _sqlite_database(tmp_path, sqlite_template)
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    get_settings.cache_clear()
    reset_secret_box()
    yield Settings(database_url=f"sqlite:///{tmp_path}/unused.sqlite3", secret_key=TEST_KEY,
                   run_workers_in_process=False)
    get_settings.cache_clear()
    reset_secret_box()


@pytest.fixture
def app(database: Database, settings: Settings):  # type: ignore[no-untyped-def]
    from henshin.web.app import create_app

    return create_app(settings, database=database, run_workers=False)


@pytest.fixture
def client(app) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def tenant(database: Database):  # type: ignore[no-untyped-def]
    from tests.support.factories import make_tenant

    return make_tenant(database)


@pytest.fixture
def ui(sqlite_database: Database, settings: Settings) -> Iterator[object]:
    """A browser-like client of the web pages (cookies kept), on SQLite."""
    from fastapi.testclient import TestClient

    from henshin.web.app import create_app

    with TestClient(create_app(settings, database=sqlite_database, run_workers=False)) as test_client:
        yield test_client


@pytest.fixture
def shop(sqlite_database: Database):  # type: ignore[no-untyped-def]
    """A workspace with an admin, a channel and a contact on the ``ui`` client's database."""
    from tests.support.factories import make_tenant

    return make_tenant(sqlite_database)
