"""Version 1 of the JSON API, mounted at ``/api/v1``."""

from fastapi import APIRouter

from henshin.web.api.v1 import auth, channels, engagements, tickets, workspace

router = APIRouter()
for module in (auth, workspace, channels, engagements, tickets):
    router.include_router(module.router)
