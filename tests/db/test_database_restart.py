"""A PostgreSQL restart: requests fail cleanly (503, nothing half-written) and then recover."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from henshin.config import Settings
from henshin.web.app import create_app
from tests.conftest import _postgres_database
from tests.support.factories import engagement, make_tenant
from tests.support.postgres import start_postgres


@pytest.mark.postgres
def test_the_api_survives_a_database_restart(settings: Settings, postgres_server) -> None:  # type: ignore[no-untyped-def]
    # A private server: stopping the shared one would disturb other tests.
    server = start_postgres()
    assert server is not None
    try:
        from sqlalchemy import create_engine, text

        from henshin.db.migrate import upgrade

        admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE tpl"))
        admin.dispose()
        from henshin.db.engine import make_engine

        engine = make_engine(server.url_for("tpl"))
        upgrade(engine)
        engine.dispose()
        database = _postgres_database(server, "tpl")
        tenant = make_tenant(database)
        with TestClient(create_app(settings, database=database, run_workers=False)) as client:
            body = {"channel_id": tenant.channel_id, "engagements": [engagement("r-1")]}
            assert client.post("/api/v1/engagements", json=body, headers=tenant.headers()).status_code == 200
            server.stop("fast")  # a restart; "immediate" would drop unsynced commits (fsync is off in tests)
            down = client.post("/api/v1/engagements", json={"channel_id": tenant.channel_id,
                                                           "engagements": [engagement("r-2")]}, headers=tenant.headers())
            assert down.status_code == 503
            assert "nothing was saved" in down.json()["error"]["message"]
            server.start()
            again = client.post("/api/v1/engagements", json={"channel_id": tenant.channel_id,
                                                            "engagements": [engagement("r-1"), engagement("r-2")]},
                                headers=tenant.headers())
            assert again.status_code == 200
            assert [i["result"] for i in again.json()["items"]] == ["duplicate", "created"]
        database.dispose()
    finally:
        server.stop("immediate")
