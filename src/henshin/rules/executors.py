"""The allow-list: each rule action type mapped to the one real function that carries it out.

Nothing is dispatched by name to an arbitrary method: `EXECUTORS` is the whole list, and
every function goes through the same ``do_*`` actions an agent's click does, with the
rule as the actor, so the history reads "tagged by rule 『返金キーワード』". Outbound work
(replies, hide, delete) gets an idempotency key made of the run and the action's index, so
a rule that fires again for the same occasion never sends twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from henshin.channels.outbound import do_moderate
from henshin.events.bus import Actor
from henshin.events.names import HistoryType
from henshin.kit.errors import InvalidInput
from henshin.models import Contact, Engagement, Ticket, Workspace
from henshin.models.ticket import Priority
from henshin.notifications.actions import do_queue_notification
from henshin.replies.templates import render
from henshin.routing.assignment import do_auto_assign
from henshin.routing.escalation import do_escalate
from henshin.rules import actions_schema as a
from henshin.rules import repository as repo
from henshin.tickets import actions as ticket_actions
from henshin.tickets.history import record_change


@dataclass
class ActionContext:
    """What one action of one rule run works on."""

    db: Session
    ticket: Ticket
    engagement: Engagement | None
    contact: Contact | None
    workspace: Workspace | None
    actor: Actor
    rule_name: str
    run_id: int
    index: int
    now: datetime
    tags: set[str] | None = None  # the ticket's tags, kept up to date by the tag actions (None: look up)


@dataclass
class ActionOutcome:
    """What an action did, in words, and the tags it added (for per-tag counts)."""

    message: str
    tags: list[str] = field(default_factory=list)


def _key(ctx: ActionContext, what: str) -> str:
    return f"rule-run-{ctx.run_id}-{ctx.index}-{what}"


def _reason(ctx: ActionContext) -> str:
    return f"rule 『{ctx.rule_name}』"


def _assign_user(ctx: ActionContext, action: a.AssignUser) -> ActionOutcome:
    ticket_actions.do_assign(ctx.db, ctx.ticket, actor=ctx.actor, user_id=int(action.user_id),
                             team_id=None, reason=_reason(ctx))
    return ActionOutcome(f"assigned to user {action.user_id}")


def _assign_team(ctx: ActionContext, action: a.AssignTeam) -> ActionOutcome:
    ticket_actions.do_assign(ctx.db, ctx.ticket, actor=ctx.actor, user_id=None,
                             team_id=int(action.team_id), reason=_reason(ctx))
    return ActionOutcome(f"assigned to team {action.team_id}")


def _assign_strategy(strategy: str) -> Callable[[ActionContext, Any], ActionOutcome]:
    def run(ctx: ActionContext, action: Any) -> ActionOutcome:
        explanation = do_auto_assign(ctx.db, ctx.ticket, team_id=int(action.team_id), strategy=strategy,
                                     actor=ctx.actor, now=ctx.now, via=_reason(ctx))
        return ActionOutcome(explanation)
    return run


def _tag(ctx: ActionContext, action: a.AddTags) -> ActionOutcome:
    added = ticket_actions.do_tag(ctx.db, ctx.ticket, actor=ctx.actor, tags=action.tags, present=ctx.tags)
    return ActionOutcome(f"tagged {', '.join(added) or '(already tagged)'}", tags=added)


def _untag(ctx: ActionContext, action: a.RemoveTags) -> ActionOutcome:
    removed = ticket_actions.do_untag(ctx.db, ctx.ticket, actor=ctx.actor, tags=action.tags, present=ctx.tags)
    return ActionOutcome(f"untagged {', '.join(removed) or '(none present)'}")


def _priority(ctx: ActionContext, action: a.SetPriority) -> ActionOutcome:
    ticket_actions.do_set_priority(ctx.db, ctx.ticket, actor=ctx.actor, priority=Priority(action.priority))
    return ActionOutcome(f"priority {action.priority}")


def _escalate(ctx: ActionContext, action: a.Escalate) -> ActionOutcome:
    do_escalate(ctx.db, ctx.ticket, level=action.level, note=action.note, actor=ctx.actor,
                key_prefix=_key(ctx, "escalate"))
    return ActionOutcome(f"escalated to {action.level}")


def _snooze(ctx: ActionContext, action: a.Snooze) -> ActionOutcome:
    until = ctx.now + timedelta(minutes=action.minutes)
    ticket_actions.do_snooze(ctx.db, ctx.ticket, actor=ctx.actor, until=until)
    return ActionOutcome(f"snoozed until {until.isoformat()}")


def _close(ctx: ActionContext, _action: a.Close) -> ActionOutcome:
    ticket_actions.do_close(ctx.db, ctx.ticket, actor=ctx.actor)
    return ActionOutcome("closed")


def _mark_spam(ctx: ActionContext, _action: a.MarkSpam) -> ActionOutcome:
    if not ctx.ticket.is_spam:
        ctx.ticket.is_spam = True
        if ctx.engagement is not None:
            ctx.engagement.is_spam = True
        record_change(ctx.db, ctx.ticket, HistoryType.SPAM, ctx.actor, {"spam": True})
    ticket_actions.do_close(ctx.db, ctx.ticket, actor=ctx.actor)
    return ActionOutcome("marked as spam and closed")


def _moderate(kind: str) -> Callable[[ActionContext, Any], ActionOutcome]:
    def run(ctx: ActionContext, _action: Any) -> ActionOutcome:
        engagement_id = ctx.engagement.id if ctx.engagement is not None else None
        row = do_moderate(ctx.db, ctx.ticket, actor=ctx.actor, kind=kind, engagement_id=engagement_id,
                          idempotency_key=_key(ctx, kind))
        return ActionOutcome(f"{kind} queued (outbound {row.id})")
    return run


def reply_variables(ctx: ActionContext) -> dict[str, object]:
    """The template variables a rule can fill without an agent."""
    contact = ctx.contact
    return {
        "customer_name": contact.display_name if contact else None,
        "handle": contact.handle if contact else None,
        "brand_name": ctx.workspace.name if ctx.workspace else None,
        "ticket_id": ctx.ticket.id,
        "network": ctx.ticket.network,
    }


def _auto_reply(ctx: ActionContext, action: a.AutoReply) -> ActionOutcome:
    if ctx.contact is not None and "do_not_contact" in {x.casefold() for x in ctx.contact.labels or ()}:
        raise InvalidInput("the contact is labelled do_not_contact: no automatic reply")
    saved = repo.saved_reply(ctx.db, ctx.ticket.workspace_id, int(action.saved_reply_id))
    if saved is None:
        raise InvalidInput(f"saved reply {action.saved_reply_id} no longer exists")
    rendered = render(saved.body, reply_variables(ctx))
    if not rendered.complete:  # never send a visible {placeholder} to a customer
        raise InvalidInput(f"saved reply {saved.id} needs {', '.join(rendered.missing)}")
    target = ctx.engagement.external_id if ctx.engagement is not None else None
    message = ticket_actions.do_reply(
        ctx.db, ctx.ticket, actor=ctx.actor, text=rendered.text,
        visibility="private" if action.private else "public",
        idempotency_key=_key(ctx, "reply"), target_external_id=target,
        extra={"saved_reply_id": saved.id},
    )
    return ActionOutcome(f"{message.visibility} reply queued (outbound {message.id})")


def _note(ctx: ActionContext, action: a.AddNote) -> ActionOutcome:
    note = ticket_actions.do_add_note(ctx.db, ctx.ticket, actor=ctx.actor, text=action.text)
    return ActionOutcome(f"note {note.id} added")


def _notification_text(ctx: ActionContext, text: str) -> str:
    return f"{text}\n— {_reason(ctx)} · #{ctx.ticket.id} {ctx.ticket.subject}"


def _notify_slack(ctx: ActionContext, action: a.NotifySlack) -> ActionOutcome:
    row = do_queue_notification(ctx.db, workspace_id=ctx.ticket.workspace_id, ticket_id=ctx.ticket.id,
                                kind="slack", target=action.webhook_url,
                                text=_notification_text(ctx, action.text), key=_key(ctx, "slack"))
    return ActionOutcome(f"slack notification {row.id} queued")


def _notify_email(ctx: ActionContext, action: a.NotifyEmail) -> ActionOutcome:
    row = do_queue_notification(ctx.db, workspace_id=ctx.ticket.workspace_id, ticket_id=ctx.ticket.id,
                                kind="email", target=",".join(action.to), subject=action.subject,
                                text=_notification_text(ctx, action.text), key=_key(ctx, "email"))
    return ActionOutcome(f"email notification {row.id} queued")


def _notify_webhook(ctx: ActionContext, action: a.NotifyWebhook) -> ActionOutcome:
    payload = {"event": "rule.fired", "rule": ctx.rule_name, "rule_id": ctx.actor.id,
               "ticket": {"id": ctx.ticket.id, "subject": ctx.ticket.subject, "status": ctx.ticket.status,
                          "priority": ctx.ticket.priority, "network": ctx.ticket.network},
               "engagement_id": ctx.engagement.id if ctx.engagement else None}
    row = do_queue_notification(ctx.db, workspace_id=ctx.ticket.workspace_id, ticket_id=ctx.ticket.id,
                                kind="webhook", target=action.url, payload=payload, secret=action.secret,
                                key=_key(ctx, "webhook"))
    return ActionOutcome(f"webhook notification {row.id} queued")


Executor = Callable[[ActionContext, Any], ActionOutcome]
EXECUTORS: dict[str, Executor] = {
    "assign_user": _assign_user,
    "assign_team": _assign_team,
    "assign_round_robin": _assign_strategy("round_robin"),
    "assign_least_loaded": _assign_strategy("least_loaded"),
    "tag": _tag,
    "untag": _untag,
    "set_priority": _priority,
    "escalate": _escalate,
    "snooze": _snooze,
    "close": _close,
    "mark_spam": _mark_spam,
    "hide_comment": _moderate("hide"),
    "delete_comment": _moderate("delete"),
    "auto_reply": _auto_reply,
    "add_note": _note,
    "notify_slack": _notify_slack,
    "notify_email": _notify_email,
    "notify_webhook": _notify_webhook,
}
assert set(EXECUTORS) == set(a.ACTION_TYPES), "every allowed action needs an executor"


def describe_action(action: Any) -> str:
    """What an action would do, in words, for dry runs (nothing is carried out)."""
    data = action.model_dump(mode="json", exclude={"type", "secret"})
    details = ", ".join(f"{k}={v}" for k, v in data.items())
    return f"{action.type}({details})" if details else action.type
