"""Writes to contacts: the bulk upsert used by ingest, labels and notes."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from henshin.connectors.types import Author
from henshin.contacts import repository as repo
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now
from henshin.models import Contact

KNOWN_LABELS = {"vip", "prospect", "influencer", "troll", "do_not_contact", "customer", "press"}


def do_upsert_authors(
    db: Session, workspace_id: int, authors: list[tuple[str, Author]]
) -> dict[tuple[str, str], Contact]:
    """Find or create a contact per (network, author); refresh what the network tells us."""
    keys = {(network, a.external_id): a for network, a in authors}
    existing = repo.contacts_by_external_ids(db, workspace_id, keys)
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
        db.execute(insert(Contact), missing)
        existing.update(repo.contacts_by_external_ids(db, workspace_id, [(m["network"], m["external_id"]) for m in missing]))
    for key, author in keys.items():
        contact = existing[key]
        if author.followers is not None and contact.followers != author.followers:
            contact.followers = author.followers
        if author.handle and contact.handle != author.handle:
            contact.handle = author.handle
        if author.display_name and contact.display_name != author.display_name:
            contact.display_name = author.display_name
    return existing


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
