"""Reading rules: the compiled rule set of a workspace (cached), listings and counts."""

from __future__ import annotations

import threading
import weakref
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from henshin.models import Rule
from henshin.rules import repository as repo
from henshin.rules.compiler import compile_rule_set
from henshin.rules.matcher import CompiledRuleSet
from henshin.rules.schema import RuleSpec

_lock = threading.Lock()
# Per engine (a process may talk to several databases), per workspace: (stamp, rules, compiled).
_cache: weakref.WeakKeyDictionary[Engine, dict[int, tuple[tuple[Any, ...], dict[int, Rule], CompiledRuleSet]]] = (
    weakref.WeakKeyDictionary()
)


def spec_of(rule: Rule) -> RuleSpec:
    """A stored rule's definition as a `RuleSpec` (stored definitions are already valid)."""
    return RuleSpec.model_validate(rule.definition)


def compiled_rules(db: Session, workspace_id: int) -> tuple[dict[int, Rule], CompiledRuleSet]:
    """The workspace's rules by id and their compiled set, rebuilt only when a rule changed.

    A cheap stamp (count, last update, highest id) read on every call catches changes
    made by any process, so no invalidation message is needed.
    """
    stamp = repo.rules_stamp(db, workspace_id)
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _lock:
        entry = _cache.setdefault(engine, {}).get(workspace_id)
    if entry is not None and entry[0] == stamp:
        return entry[1], entry[2]
    rows = {r.id: r for r in repo.rules_of_workspace(db, workspace_id)}
    for row in rows.values():
        db.expunge(row)
    compiled = compile_rule_set([(rid, spec_of(r)) for rid, r in rows.items()])
    with _lock:
        _cache.setdefault(engine, {})[workspace_id] = (stamp, rows, compiled)
    return rows, compiled


def rule_counts(db: Session, workspace_id: int, rule_ids: list[int], days: int = 30) -> dict[int, dict[str, int]]:
    """Per rule: runs (ever), actions ok and errors in the last ``days``."""
    since = datetime.now().astimezone() - timedelta(days=days)
    runs = repo.runs_count(db, workspace_id, rule_ids)
    counts: dict[int, dict[str, int]] = {rid: {"runs": runs.get(rid, 0), "ok": 0, "error": 0} for rid in rule_ids}
    for rule_id, _action, result, _at in repo.action_counts(db, workspace_id, since):
        if rule_id in counts:
            counts[rule_id][result] = counts[rule_id].get(result, 0) + 1
    return counts


def rule_stats(db: Session, workspace_id: int, rule_id: int, *, days: int) -> dict[str, Any]:
    """One rule's actions over the last ``days``: by action and result, and by day."""
    since = datetime.now().astimezone() - timedelta(days=days)
    by_action: Counter[tuple[str, str]] = Counter()
    by_day: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for _rid, action, result, at in repo.action_counts(db, workspace_id, since, rule_id=rule_id):
        by_action[(action, result)] += 1
        by_day[at.date().isoformat()][result] += 1
    return {
        "rule_id": rule_id,
        "days": days,
        "runs": repo.runs_count(db, workspace_id, [rule_id]).get(rule_id, 0),
        "actions": [{"action": a, "result": r, "count": n} for (a, r), n in sorted(by_action.items())],
        "by_day": [{"day": d, **dict(c)} for d, c in sorted(by_day.items())],
    }


def tag_stats(db: Session, workspace_id: int, *, days: int) -> list[dict[str, Any]]:
    """Tags added by rules over the last ``days``: per tag, per rule, and by day."""
    since = datetime.now().astimezone() - timedelta(days=days)
    per_tag: defaultdict[str, Counter[int]] = defaultdict(Counter)
    per_day: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for rule_id, tags, at in repo.tag_log(db, workspace_id, since):
        for tag in tags:
            per_tag[tag][rule_id] += 1
            per_day[tag][at.date().isoformat()] += 1
    return [
        {"tag": tag, "count": sum(rules.values()),
         "rules": [{"rule_id": r, "count": n} for r, n in sorted(rules.items())],
         "by_day": [{"day": d, "count": n} for d, n in sorted(per_day[tag].items())]}
        for tag, rules in sorted(per_tag.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    ]
