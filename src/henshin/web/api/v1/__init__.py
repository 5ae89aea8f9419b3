"""Version 1 of the JSON API, mounted at ``/api/v1``."""

from fastapi import APIRouter

from henshin.web.api.v1 import auth, channels, engagements, reports, tickets, workspace
from henshin.web.api.v1 import compose, knowledge, moderation, replies

router = APIRouter()
for module in (auth, workspace, channels, engagements, tickets, reports, replies, knowledge, compose, moderation):
    router.include_router(module.router)
