"""Writing rules: ``check_rule`` validates a definition, ``do_*`` store it (never commit).

A definition is validated by part A's `parse_rule`, so an API caller and the UI get the
same messages with their paths (``actions[0].type: 'tagg' is not an action; …``). Every
change bumps ``updated_at``, which invalidates the workspace's compiled rule set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from henshin.events.bus import Actor, ActorType
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now
from henshin.models import Rule
from henshin.rules import repository as repo
from henshin.rules.schema import RuleProblem, RuleSpec, RuleValidationError, parse_rule
from henshin.workspaces import repository as ws_repo


def check_rule(db: Session, workspace_id: int, data: Mapping[str, Any]) -> RuleSpec:
    """Validate a definition and the ids it names (users, teams, saved replies) in this workspace."""
    spec = parse_rule(data)
    problems: list[RuleProblem] = []
    for index, action in enumerate(spec.actions):
        path = f"actions[{index}]"
        if action.type == "assign_user":
            if not _int(action.user_id) or not ws_repo.membership(db, workspace_id, int(action.user_id)):
                problems.append(RuleProblem(f"{path}.user_id", f"user {action.user_id} is not a member of this workspace"))
        elif action.type in ("assign_team", "assign_round_robin", "assign_least_loaded"):
            if not _int(action.team_id) or not ws_repo.team_in_workspace(db, workspace_id, int(action.team_id)):
                problems.append(RuleProblem(f"{path}.team_id", f"team {action.team_id} does not exist in this workspace"))
        elif action.type == "auto_reply":
            if not _int(action.saved_reply_id) or repo.saved_reply(db, workspace_id, int(action.saved_reply_id)) is None:
                problems.append(RuleProblem(f"{path}.saved_reply_id", f"saved reply {action.saved_reply_id} does not exist in this workspace"))
    if problems:
        raise RuleValidationError(problems)
    return spec


def _int(value: object) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def _apply(rule: Rule, spec: RuleSpec) -> None:
    rule.name = spec.name
    rule.trigger = spec.trigger
    rule.position = spec.position
    rule.enabled = spec.enabled
    rule.stop_processing = spec.stop_processing
    rule.definition = spec.to_json()
    rule.updated_at = utc_now()


def do_create_rule(db: Session, workspace_id: int, *, actor: Actor, data: Mapping[str, Any]) -> Rule:
    """Validate and store a new rule."""
    spec = check_rule(db, workspace_id, data)
    rule = Rule(workspace_id=workspace_id, created_by=actor.id if actor.type is ActorType.USER else None)
    _apply(rule, spec)
    db.add(rule)
    db.flush()
    return rule


def do_update_rule(db: Session, rule: Rule, *, data: Mapping[str, Any], partial: bool = False) -> Rule:
    """Replace (or with ``partial`` merge into) a rule's definition, validated again."""
    merged = {**rule.definition, **data} if partial else dict(data)
    _apply(rule, check_rule(db, rule.workspace_id, merged))
    db.flush()
    return rule


def do_delete_rule(db: Session, rule: Rule) -> None:
    """Delete a rule and its log."""
    db.delete(rule)
    db.flush()


def do_reorder_rules(db: Session, workspace_id: int, rule_ids: list[int]) -> None:
    """Give the rules positions 0, 1, 2… in the order listed (every rule must be listed)."""
    rules = {r.id: r for r in repo.rules_of_workspace(db, workspace_id)}
    if sorted(rule_ids) != sorted(rules):
        raise InvalidInput("list every rule of the workspace exactly once", details={"known": sorted(rules)})
    for position, rule_id in enumerate(rule_ids):
        rule = rules[rule_id]
        if rule.position != position:
            rule.definition = {**rule.definition, "position": position}
            rule.position = position
            rule.updated_at = utc_now()
    db.flush()
