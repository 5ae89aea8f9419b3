"""CSAT: a survey link after closing, one answer per ticket on a public page, in the customer's language."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from henshin.db.session import Database
from henshin.kit.time import utc_now
from henshin.models import Channel, CsatSurvey, OutboundMessage, Workspace
from tests.support.factories import Tenant, engagement, ingest

LINK = re.compile(r"/csat/([A-Za-z0-9_\-]+)")


def opt_in(database: Database, tenant: Tenant) -> None:
    with database.unit_of_work() as db:
        ws = db.get(Workspace, tenant.workspace_id)
        assert ws is not None
        ws.settings = {**(ws.settings or {}), "csat": {"enabled": True}}


def close_with_reply(client: TestClient, tenant: Tenant, text: str, ext: str) -> int:
    ticket = ingest(client, tenant, [engagement(ext, text, kind="dm", thread_id=ext, author=ext)],
                    channel_id=tenant.dm_channel_id)[0]["ticket_id"]
    r = client.post(f"/api/v1/tickets/{ticket}/reply", json={"text": "対応いたしました。", "close": True},
                    headers=tenant.headers("agent"))
    assert r.status_code == 200, r.text
    return int(ticket)


def survey_link(database: Database, ticket_id: int) -> tuple[str, OutboundMessage]:
    with database.sessions() as db:
        message = db.scalar(select(OutboundMessage).where(OutboundMessage.ticket_id == ticket_id,
                                                          OutboundMessage.actor_type == "system"))
        assert message is not None
        match = LINK.search(message.text)
        assert match is not None
        return match.group(1), message


def answer(client: TestClient, token: str, score: object, comment: str = "") -> object:
    page = client.get(f"/csat/{token}")
    form_token = page.text.split('name="form_token" value="')[1].split('"')[0]
    return client.post(f"/csat/{token}", data={"form_token": form_token, "score": score, "comment": comment})


def test_closing_sends_one_survey_and_the_answer_is_reported(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    opt_in(database, tenant)
    ticket = close_with_reply(client, tenant, "注文した商品がまだ届きません", "cs1")
    token, message = survey_link(database, ticket)
    assert message.kind == "dm" and message.visibility == "private" and message.state == "queued"
    assert "ご評価" in message.text  # the customer wrote in Japanese

    page = client.get(f"/csat/{token}")
    assert page.status_code == 200 and "満足" in page.text and 'name="score"' in page.text
    done = answer(client, token, 4, "早い対応でした")
    assert done.status_code == 200 and "ありがとうございました" in done.text

    again = client.get(f"/csat/{token}")
    assert again.status_code == 409 and "回答済み" in again.text
    csat = client.get("/api/v1/reports/csat", headers=tenant.headers()).json()["total"]["values"]
    assert csat["surveys_sent"] == 1 and csat["responses"] == 1 and csat["response_rate"] == 1.0
    assert csat["score"]["mean"] == 4.0 and csat["distribution"]["4"] == 1
    by_agent = client.get("/api/v1/reports/csat", params={"group_by": "agent"}, headers=tenant.headers()).json()
    assert [(g["key"], g["values"]["score"]["mean"]) for g in by_agent["groups"]] == [(tenant.agent_id, 4.0)]
    listed = client.get("/api/v1/csat/responses", headers=tenant.headers()).json()["items"]
    assert listed[0]["ticket_id"] == ticket and listed[0]["agent_id"] == tenant.agent_id
    assert listed[0]["comment"] == "早い対応でした"
    assert client.get("/api/v1/csat/responses", headers=tenant.headers("agent")).status_code == 403
    # The survey is the system's message: it is not the team's first response.
    detail = client.get(f"/api/v1/tickets/{ticket}", headers=tenant.headers()).json()
    assert [e["data"]["state"] for e in detail["events"] if e["type"] == "csat"] == ["sent", "answered"]

    # Reopen and close again: still one survey per ticket.
    ingest(client, tenant, [engagement("cs1-b", "まだ届きません", kind="dm", thread_id="cs1", author="cs1", minutes=5)],
           channel_id=tenant.dm_channel_id)
    client.post(f"/api/v1/tickets/{ticket}/close", headers=tenant.headers("agent"))
    with database.sessions() as db:
        assert len(list(db.scalars(select(CsatSurvey).where(CsatSurvey.ticket_id == ticket)))) == 1


def test_links_cannot_be_guessed_reused_forged_or_used_late(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    opt_in(database, tenant)
    ticket = close_with_reply(client, tenant, "Where is my refund?", "cs2")
    token, message = survey_link(database, ticket)
    assert "rate our help" in message.text  # English customer, English message
    assert client.get("/csat/" + "A" * 43).status_code == 404
    page = client.get(f"/csat/{token}")
    assert "How satisfied" in page.text
    forged = client.post(f"/csat/{token}", data={"form_token": "made-up", "score": 5})
    assert forged.status_code == 403
    bad = answer(client, token, 9)
    assert bad.status_code == 422 and "1 to 5" in bad.text
    assert answer(client, token, 2).status_code == 200
    assert client.get(f"/csat/{token}").status_code == 409
    with database.sessions() as db:
        survey = db.scalar(select(CsatSurvey).where(CsatSurvey.ticket_id == ticket))
        assert survey is not None and survey.score == 2 and token not in survey.token_digest

    other = close_with_reply(client, tenant, "Can I change my order?", "cs3")
    late_token, _ = survey_link(database, other)
    with database.unit_of_work() as db:
        db.execute(update(CsatSurvey).where(CsatSurvey.ticket_id == other)
                   .values(expires_at=utc_now() - timedelta(days=1)))
    assert client.get(f"/csat/{late_token}").status_code == 410


def test_no_survey_without_opt_in_or_when_the_channel_opts_out(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    quiet = close_with_reply(client, tenant, "返品したいです", "cs4")
    opt_in(database, tenant)
    with database.unit_of_work() as db:
        channel = db.get(Channel, tenant.dm_channel_id)
        assert channel is not None
        channel.settings = {**(channel.settings or {}), "csat": {"enabled": False}}
    opted_out = close_with_reply(client, tenant, "返品したいです", "cs5")
    with database.sessions() as db:
        assert db.scalars(select(CsatSurvey).where(CsatSurvey.ticket_id.in_([quiet, opted_out]))).all() == []
