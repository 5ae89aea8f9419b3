"""Every select() over contacts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from henshin.kit.errors import NotFound
from henshin.models import Contact


def contacts_by_external_ids(
    db: Session, workspace_id: int, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Contact]:
    """Contacts keyed by (network, external_id)."""
    keys = list(set(keys))
    found: dict[tuple[str, str], Contact] = {}
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        rows = db.scalars(
            select(Contact).where(
                Contact.workspace_id == workspace_id,
                tuple_(Contact.network, Contact.external_id).in_(chunk),
            )
        )
        found.update({(c.network, c.external_id): c for c in rows})
    return found


def contact_rows_by_external_ids(
    db: Session, workspace_id: int, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str | None, str | None, int | None]]:
    """(network, external_id) → (id, handle, display_name, followers), without ORM objects.

    One ``external_id IN`` per network: SQLite answers a (network, external_id) row-value
    IN by scanning every contact of the workspace, this one by the unique index.
    """
    by_network: dict[str, list[str]] = {}
    for network, external_id in set(keys):
        by_network.setdefault(network, []).append(external_id)
    found: dict[tuple[str, str], tuple[int, str | None, str | None, int | None]] = {}
    for network, ids in by_network.items():
        for start in range(0, len(ids), 400):
            rows = db.execute(
                select(
                    Contact.network, Contact.external_id, Contact.id, Contact.handle,
                    Contact.display_name, Contact.followers,
                ).where(
                    Contact.workspace_id == workspace_id, Contact.network == network,
                    Contact.external_id.in_(ids[start : start + 400]),
                )
            )
            found.update({(n, e): (i, h, d, f) for n, e, i, h, d, f in rows})
    return found


def get_contact(db: Session, workspace_id: int, contact_id: int) -> Contact:
    contact = db.scalar(
        select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == contact_id)
    )
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    return contact


def search_contacts(db: Session, workspace_id: int, q: str, limit: int = 20) -> Sequence[Contact]:
    pattern = f"%{q}%"
    return db.scalars(
        select(Contact)
        .where(
            Contact.workspace_id == workspace_id,
            (Contact.handle.ilike(pattern)) | (Contact.display_name.ilike(pattern)),
        )
        .limit(limit)
    ).all()
