"""``henshin reanalyze``: stored engagements get a fresh analysis, tickets follow."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from henshin.db.session import Database
from henshin.ingest.reanalysis import reanalyze
from henshin.models import Engagement, Ticket
from tests.support.factories import Tenant, engagement, ingest


def test_reanalysis_restores_a_stale_analysis(client: TestClient, tenant: Tenant, database: Database) -> None:
    ticket_id = ingest(client, tenant, [engagement("ra-1", "届いた化粧水のボトルが割れていました。最悪です")])[0]["ticket_id"]
    with database.unit_of_work() as db:  # as if analysed by an older model
        db.execute(update(Engagement).values(analysis=None, sentiment_label="positive", language="en"))
        db.execute(update(Ticket).values(sentiment_label="positive", language="en"))
    assert reanalyze(database, workspace_id=tenant.workspace_id) == 1
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    assert ticket["language"] == "ja"
    assert ticket["sentiment_label"] == "negative"
    assert ticket["messages"][0]["analysis"]["language"] == "ja"
