"""The cell writes a recompute makes: new cells inserted, kept ones updated, emptied ones
dropped, in rounds of any size; and a batch of new tickets leaves cells equal to a rebuild."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.reports import cell_repository as cells_repo
from henshin.reports.cells import COUNT, CellKey, Change
from henshin.reports.rollup import rebuild_cells
from tests.support.factories import BASE_TIME, Tenant, engagement, ingest


def _key(i: int) -> CellKey:
    return ("day", "fr", f"2026-11-{1 + i % 28:02d}", f"agent{i // 28}", i % 7)


def _apply(database: Database, workspace_id: int, changes: dict[CellKey, Change]) -> None:
    with database.unit_of_work() as db:
        cells_repo.lock_cells(db, workspace_id)
        cells_repo.apply_changes(db, workspace_id, changes)


def _cells(database: Database, workspace_id: int) -> dict[CellKey, tuple[int, int, list[float] | None]]:
    with database.sessions() as db:
        return cells_repo.cells_of_workspace(db, workspace_id)


def test_rounds_of_every_size_insert_update_and_drop_cells(database: Database, tenant: Tenant) -> None:
    ws = tenant.workspace_id
    expected: dict[CellKey, tuple[int, int, list[float] | None]] = {}
    # 1, 3, 5 and 403 keys: not powers of two, and more than one statement's worth (400).
    for size in (1, 3, 5, 403):
        changes = {}
        for i in range(size):
            value = float(size * 1000 + i)
            changes[_key(i)] = Change(n=1, total=int(value), added=[value])
            n, total, values = expected.get(_key(i), (0, 0, []))
            expected[_key(i)] = (n + 1, total + int(value), sorted([*(values or []), value]))
        _apply(database, ws, changes)
        assert _cells(database, ws) == expected

    # Take every value of the first 4 keys back out (their cells go), and one of key 4.
    changes = {_key(i): Change(n=-len(expected[_key(i)][2] or []), total=-expected[_key(i)][1],
                               removed=list(expected[_key(i)][2] or [])) for i in range(4)}
    changes[_key(4)] = Change(n=-1, total=-5004, removed=[5004.0])
    _apply(database, ws, changes)
    for i in range(4):
        del expected[_key(i)]
    expected[_key(4)] = (1, 403004, [403004.0])
    assert _cells(database, ws) == expected


def test_a_count_cell_keeps_no_values(database: Database, tenant: Tenant) -> None:
    key: CellKey = ("day", "tickets", "2026-11-20", "", COUNT)
    _apply(database, tenant.workspace_id, {key: Change(n=2, total=5)})
    _apply(database, tenant.workspace_id, {key: Change(n=1, total=1)})
    assert _cells(database, tenant.workspace_id) == {key: (3, 6, None)}


def test_a_batch_of_new_tickets_leaves_the_cells_a_rebuild_gives(client: TestClient, database: Database,
                                                                 tenant: Tenant) -> None:
    items = [engagement(author=f"cust-{i}", at=BASE_TIME + timedelta(hours=i * 7)) for i in range(40)]
    ingest(client, tenant, items)
    kept = _cells(database, tenant.workspace_id)
    assert sum(n for (grain, measure, *_), (n, _t, _v) in kept.items()
               if (grain, measure) == ("day", "tickets")) == 40
    with database.unit_of_work() as db:
        rebuild_cells(db, tenant.workspace_id)
    assert _cells(database, tenant.workspace_id) == kept
