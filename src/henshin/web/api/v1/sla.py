"""SLA policies: targets per priority / level / channel, business or calendar hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from henshin.kit.errors import NotFound
from henshin.models import SlaPolicy
from henshin.models.workspace import Role
from henshin.routing import actions
from henshin.routing import repository as repo
from henshin.web.deps import CurrentCaller, DbSession

router = APIRouter(prefix="/sla/policies", tags=["sla"])


class PolicyOut(BaseModel):
    id: int
    name: str
    position: int
    enabled: bool
    priority: str | None
    escalation_level: str | None
    channel_id: int | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_hours: bool
    pause_when_snoozed: bool
    warn_before_minutes: int
    updated_at: datetime


def _out(policy: SlaPolicy) -> PolicyOut:
    return PolicyOut.model_validate(policy, from_attributes=True)


def _policy(db: DbSession, workspace_id: int, policy_id: int) -> SlaPolicy:
    policy = repo.sla_policy(db, workspace_id, policy_id)
    if policy is None:
        raise NotFound(f"SLA policy {policy_id} not found")
    return policy


@router.get("", response_model=list[PolicyOut])
def list_policies(caller: CurrentCaller, db: DbSession) -> list[PolicyOut]:
    """Policies in matching order (the first that fits a ticket applies)."""
    return [_out(p) for p in repo.sla_policies(db, caller.workspace_id)]


@router.post("", response_model=PolicyOut, status_code=201)
def create_policy(body: dict[str, Any], caller: CurrentCaller, db: DbSession) -> PolicyOut:
    caller.require(Role.ADMIN)
    policy = actions.do_save_sla_policy(db, caller.workspace_id, body)
    db.commit()
    return _out(policy)


@router.patch("/{policy_id}", response_model=PolicyOut)
def update_policy(policy_id: int, body: dict[str, Any], caller: CurrentCaller, db: DbSession) -> PolicyOut:
    caller.require(Role.ADMIN)
    policy = actions.do_save_sla_policy(db, caller.workspace_id, body, _policy(db, caller.workspace_id, policy_id))
    db.commit()
    return _out(policy)


@router.delete("/{policy_id}", status_code=204)
def delete_policy(policy_id: int, caller: CurrentCaller, db: DbSession) -> None:
    caller.require(Role.ADMIN)
    db.delete(_policy(db, caller.workspace_id, policy_id))
    db.commit()
