"""Version 1 of the JSON API, mounted at ``/api/v1``."""

from fastapi import APIRouter

from henshin.web.api.v1 import (
    auth,
    channels,
    compose,
    csat,
    engagements,
    knowledge,
    moderation,
    replies,
    reports,
    routing,
    rules,
    sla,
    tickets,
    workspace,
)

router = APIRouter()
for module in (auth, workspace, channels, engagements, tickets, reports, csat, replies, knowledge, compose, moderation,
               rules, routing, sla):
    router.include_router(module.router)
