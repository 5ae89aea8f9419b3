"""Writes to contacts: the bulk upsert used by ingest, labels and notes."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.orm import Session

from henshin.connectors.types import Author
from henshin.contacts import repository as repo
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now
from henshin.models import Contact

KNOWN_LABELS = {"vip", "prospect", "influencer", "troll", "do_not_contact", "customer", "press"}


def do_upsert_authors(
    db: Session, workspace_id: int, authors: list[tuple[str, Author]]
) -> dict[tuple[str, str], int]:
    """Find or create a contact per (network, author) and refresh what the network tells us.

    Returns (network, external_id) → contact id. Core statements only: ingest calls this
    with 500 authors at a time.
    """
    keys = {(network, a.external_id): a for network, a in authors}
    existing = repo.contact_rows_by_external_ids(db, workspace_id, keys)
    now = utc_now()
    missing = [
        {
            "workspace_id": workspace_id,
            "network": network,
            "external_id": ext,
            "handle": a.handle,
            "display_name": a.display_name,
            "avatar_url": a.avatar_url,
            "profile_url": a.profile_url,
            "followers": a.followers,
            "verified": a.verified,
            "labels": [],
            "ticket_count": 0,
            "extra": {},
            "created_at": now,
            "updated_at": now,
        }
        for (network, ext), a in keys.items()
        if (network, ext) not in existing
    ]
    if missing:
        db.connection().execute(insert(Contact.__table__), missing)
        existing.update(
            repo.contact_rows_by_external_ids(
                db, workspace_id, [(m["network"], m["external_id"]) for m in missing]
            )
        )
    changed = []
    for key, author in keys.items():
        contact_id, handle, display_name, followers = existing[key]
        fresh = (
            author.handle or handle,
            author.display_name or display_name,
            author.followers if author.followers is not None else followers,
        )
        if fresh != (handle, display_name, followers):
            changed.append({"cid": contact_id, "h": fresh[0], "d": fresh[1], "f": fresh[2], "u": now})
    if changed:
        table = Contact.__table__
        db.connection().execute(
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(handle=bindparam("h"), display_name=bindparam("d"), followers=bindparam("f"), updated_at=bindparam("u")),
            changed,
        )
    return {key: row[0] for key, row in existing.items()}


def do_count_new_tickets(db: Session, counts: dict[int, int]) -> None:
    """Add newly opened tickets to each contact's ticket count (one statement on PostgreSQL)."""
    if not counts:
        return
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            text(
                "UPDATE contacts SET ticket_count = contacts.ticket_count + v.n "
                "FROM (SELECT unnest(CAST(:ids AS integer[])) AS id, "
                "unnest(CAST(:ns AS integer[])) AS n) AS v WHERE contacts.id = v.id"
            ),
            {"ids": list(counts), "ns": list(counts.values())},
        )
        return
    table = Contact.__table__
    db.connection().execute(
        update(table)
        .where(table.c.id == bindparam("cid"))
        .values(ticket_count=table.c.ticket_count + bindparam("n")),
        [{"cid": cid, "n": n} for cid, n in counts.items()],
    )


def check_labels(labels: list[str]) -> list[str]:
    clean = []
    for label in labels:
        value = label.strip().lower().replace(" ", "_")
        if not value or len(value) > 40:
            raise InvalidInput(f"label {label!r} must be 1–40 characters")
        clean.append(value)
    return sorted(set(clean))


def do_set_labels(db: Session, contact: Contact, labels: list[str]) -> None:
    contact.labels = check_labels(labels)
    contact.updated_at = utc_now()


def do_set_notes(db: Session, contact: Contact, notes: str) -> None:
    contact.notes = notes.strip() or None
    contact.updated_at = utc_now()
