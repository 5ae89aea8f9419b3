"""Every select() of the replying module: saved replies, drafts, and what the guards read.

The guards look across the whole person (every contact sharing a profile), so the reads
of earlier replies and later posts join tickets and engagements by contact — always
inside one workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, Select, func, or_, select, update
from sqlalchemy.orm import Session

from henshin.kit.errors import NotFound
from henshin.models import (
    Article,
    Channel,
    Contact,
    Draft,
    Engagement,
    Membership,
    OutboundMessage,
    SavedReply,
    Ticket,
    Workspace,
)
from henshin.models.outbound import DeliveryState

LIVE_STATES = (DeliveryState.QUEUED.value, DeliveryState.SENDING.value, DeliveryState.SENT.value)


def get_saved_reply(db: Session, workspace_id: int, saved_reply_id: int) -> SavedReply:
    """The workspace's saved reply or ``NotFound``."""
    row = db.scalar(
        select(SavedReply).where(
            SavedReply.id == saved_reply_id, SavedReply.workspace_id == workspace_id
        )
    )
    if row is None:
        raise NotFound(f"saved reply {saved_reply_id} not found")
    return row


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def visible_saved_replies(
    workspace_id: int,
    viewer_user_id: int,
    *,
    folded_words: Sequence[str] = (),
    language: str | None = None,
    network: str | None = None,
    shortcut: str | None = None,
    scope: str = "all",
) -> Select[tuple[SavedReply]]:
    """Shared replies plus the viewer's personal ones, filtered."""
    query = select(SavedReply).where(SavedReply.workspace_id == workspace_id)
    if scope == "shared":
        query = query.where(SavedReply.owner_user_id.is_(None))
    elif scope == "personal":
        query = query.where(SavedReply.owner_user_id == viewer_user_id)
    else:
        query = query.where(
            or_(SavedReply.owner_user_id.is_(None), SavedReply.owner_user_id == viewer_user_id)
        )
    if language:
        query = query.where(or_(SavedReply.language.is_(None), SavedReply.language == language))
    if network:
        query = query.where(or_(SavedReply.network.is_(None), SavedReply.network == network))
    if shortcut:
        query = query.where(SavedReply.shortcut == shortcut)
    for word in folded_words:
        query = query.where(SavedReply.search_text.like(_like(word), escape="\\"))
    return query


def page_of_saved_replies(
    db: Session, query: Select[tuple[SavedReply]], limit: int, offset: int
) -> list[SavedReply]:
    ordered = query.order_by(SavedReply.usage_count.desc(), SavedReply.title, SavedReply.id)
    return list(db.scalars(ordered.limit(limit).offset(offset)))


def count(db: Session, query: Select[tuple[SavedReply]]) -> int:
    return int(db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def shortcut_taken(
    db: Session, workspace_id: int, shortcut: str, owner_user_id: int | None, exclude_id: int | None
) -> bool:
    """True when the same shortcut is visible to the same people already."""
    query = select(SavedReply.id).where(
        SavedReply.workspace_id == workspace_id,
        SavedReply.shortcut == shortcut,
        or_(SavedReply.owner_user_id.is_(None), SavedReply.owner_user_id == owner_user_id)
        if owner_user_id is not None
        else SavedReply.owner_user_id.is_(None),
    )
    if exclude_id is not None:
        query = query.where(SavedReply.id != exclude_id)
    return db.scalar(query.limit(1)) is not None


def all_saved_replies(db: Session, workspace_id: int) -> Sequence[SavedReply]:
    """Every saved reply of a workspace, shared and personal (what the index holds)."""
    return db.scalars(select(SavedReply).where(SavedReply.workspace_id == workspace_id)).all()


def saved_reply_index_rows(
    db: Session, workspace_id: int
) -> Sequence[Row[int, int | None, str, str, str | None, str | None, list[str]]]:
    """What the suggestion index needs of every saved reply (id, owner, title, body,
    language, network, tags): plain rows, several times faster to load than entities."""
    return db.execute(
        select(SavedReply.id, SavedReply.owner_user_id, SavedReply.title, SavedReply.body,
               SavedReply.language, SavedReply.network, SavedReply.tags)
        .where(SavedReply.workspace_id == workspace_id)
    ).all()


def published_article_index_rows(
    db: Session, workspace_id: int
) -> Sequence[Row[int, str, str, str, list[str]]]:
    """What the suggestion index needs of every published article, as plain rows."""
    return db.execute(
        select(Article.id, Article.title, Article.body, Article.language, Article.tags)
        .where(Article.workspace_id == workspace_id, Article.published.is_(True))
    ).all()


def workspaces_with_saved_replies_or_articles(db: Session) -> list[int]:
    """Ids of the workspaces that have something to suggest (index warm-up at start)."""
    replies = select(SavedReply.workspace_id).distinct()
    articles = select(Article.workspace_id).where(Article.published.is_(True)).distinct()
    return sorted(set(db.scalars(replies)) | set(db.scalars(articles)))


def saved_replies_by_ids(db: Session, workspace_id: int, ids: Sequence[int]) -> dict[int, SavedReply]:
    if not ids:
        return {}
    rows = db.scalars(
        select(SavedReply).where(SavedReply.workspace_id == workspace_id, SavedReply.id.in_(set(ids)))
    )
    return {r.id: r for r in rows}


def saved_reply_stamp(db: Session, workspace_id: int) -> tuple[int, datetime | None, int | None]:
    """(count, last update, highest id): changes whenever a saved reply does."""
    row = db.execute(
        select(func.count(), func.max(SavedReply.updated_at), func.max(SavedReply.id)).where(
            SavedReply.workspace_id == workspace_id
        )
    ).one()
    return int(row[0]), row[1], row[2]


def increment_usage(db: Session, saved_reply_id: int, at: datetime) -> None:
    """Count one use atomically (two agents applying it at once both count)."""
    db.execute(
        update(SavedReply)
        .where(SavedReply.id == saved_reply_id)
        .values(usage_count=SavedReply.usage_count + 1, last_used_at=at)
    )


def draft_of(db: Session, ticket_id: int, user_id: int) -> Draft | None:
    return db.scalar(select(Draft).where(Draft.ticket_id == ticket_id, Draft.user_id == user_id))


def workspace(db: Session, workspace_id: int, *, lock: bool = False) -> Workspace:
    query = select(Workspace).where(Workspace.id == workspace_id)
    if lock and db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    found = db.scalar(query)
    if found is None:
        raise NotFound(f"workspace {workspace_id} not found")
    return found


def channel(db: Session, workspace_id: int, channel_id: int) -> Channel | None:
    return db.scalar(
        select(Channel).where(Channel.id == channel_id, Channel.workspace_id == workspace_id)
    )


def membership(db: Session, workspace_id: int, user_id: int) -> Membership | None:
    return db.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )


def contact(db: Session, workspace_id: int, contact_id: int) -> Contact | None:
    return db.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.workspace_id == workspace_id)
    )


def person_contacts(db: Session, workspace_id: int, contact: Contact) -> list[Contact]:
    """The contact and every other contact of the same person (shared ``profile_id``)."""
    if contact.profile_id is None:
        return [contact]
    return list(
        db.scalars(
            select(Contact).where(
                Contact.workspace_id == workspace_id, Contact.profile_id == contact.profile_id
            )
        )
    )


def answered_engagement(
    db: Session, ticket: Ticket, engagement_id: int | None
) -> Engagement | None:
    """The engagement a reply answers: the given one (of this ticket) or the latest inbound."""
    query = select(Engagement).where(
        Engagement.ticket_id == ticket.id, Engagement.workspace_id == ticket.workspace_id
    )
    if engagement_id is not None:
        found = db.scalar(query.where(Engagement.id == engagement_id))
        if found is None:
            raise NotFound(f"engagement {engagement_id} is not part of ticket {ticket.id}")
        return found
    return db.scalar(
        query.where(Engagement.direction == "inbound")
        .order_by(Engagement.created_at.desc(), Engagement.id.desc())
        .limit(1)
    )


def later_posts(
    db: Session, workspace_id: int, contact_ids: Sequence[int], after: datetime, exclude_id: int,
    limit: int = 20,
) -> Sequence[Engagement]:
    """What the person posted (anywhere in the workspace) after ``after``, oldest first."""
    if not contact_ids:
        return []
    return db.scalars(
        select(Engagement)
        .where(
            Engagement.workspace_id == workspace_id,
            Engagement.contact_id.in_(contact_ids),
            Engagement.direction == "inbound",
            Engagement.created_at > after,
            Engagement.id != exclude_id,
        )
        .order_by(Engagement.created_at, Engagement.id)
        .limit(limit)
    ).all()


def replies_to_person(
    db: Session, workspace_id: int, contact_ids: Sequence[int], limit: int = 50
) -> Sequence[OutboundMessage]:
    """Replies already sent (or on their way) to the person on any channel, newest first."""
    if not contact_ids:
        return []
    return db.scalars(
        select(OutboundMessage)
        .join(Ticket, Ticket.id == OutboundMessage.ticket_id)
        .where(
            OutboundMessage.workspace_id == workspace_id,
            Ticket.workspace_id == workspace_id,
            Ticket.contact_id.in_(contact_ids),
            OutboundMessage.state.in_(LIVE_STATES),
        )
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
        .limit(limit)
    ).all()


def outbound_by_keys(db: Session, workspace_id: int, keys: Sequence[str]) -> list[OutboundMessage]:
    if not keys:
        return []
    return list(
        db.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.workspace_id == workspace_id,
                OutboundMessage.idempotency_key.in_(keys),
            )
            .order_by(OutboundMessage.id)
        )
    )


def sent_with_key(db: Session, workspace_id: int, send_key: str) -> list[OutboundMessage]:
    """The parts a send with this key already queued (``<key>:1``, ``<key>:2``…)."""
    escaped = send_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        db.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.workspace_id == workspace_id,
                OutboundMessage.idempotency_key.like(f"{escaped}:%", escape="\\"),
            )
            .order_by(OutboundMessage.id)
        )
    )


def get_outbound(db: Session, workspace_id: int, outbound_id: int) -> OutboundMessage:
    row = db.scalar(
        select(OutboundMessage).where(
            OutboundMessage.id == outbound_id, OutboundMessage.workspace_id == workspace_id
        )
    )
    if row is None:
        raise NotFound(f"outbound message {outbound_id} not found")
    return row


def cancel_if_queued(db: Session, outbound_ids: Sequence[int]) -> list[int]:
    """Cancel the rows still queued (a worker claiming them at once wins the race)."""
    cancelled = []
    for outbound_id in outbound_ids:
        result = db.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == outbound_id,
                OutboundMessage.state == DeliveryState.QUEUED.value,
            )
            .values(state=DeliveryState.CANCELLED.value, error="undone by the agent")
        )
        if result.rowcount:  # type: ignore[attr-defined]
            cancelled.append(outbound_id)
    return cancelled


def live_outbound_of_ticket(db: Session, ticket_id: int) -> Sequence[OutboundMessage]:
    return db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.ticket_id == ticket_id, OutboundMessage.state.in_(LIVE_STATES))
        .order_by(OutboundMessage.created_at)
    ).all()
