"""Dependencies point one way (ARCHITECTURE.md): checked on the source, so it stays so."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "henshin"
STORAGE = ("db", "models", "events", "workspaces", "tickets", "contacts", "channels", "ingest",
           "reports", "workers", "web", "wiring", "cli", "demo", "csat", "knowledge", "imports")
PURE = ("connectors", "sandbox", "understand")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.startswith("henshin.")}


def modules_under(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def test_connectors_sandbox_and_understanding_import_no_storage() -> None:
    offenders = []
    for package in PURE:
        for path in modules_under(package):
            for name in imports_of(path):
                top = name.split(".")[1]
                if top in STORAGE:
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_domain_modules_do_not_import_the_web_layer() -> None:
    offenders = []
    for package in ("tickets", "ingest", "contacts", "channels", "workspaces", "rules", "routing", "reports", "replies"):
        if not (SRC / package).exists():
            continue
        for path in modules_under(package):
            offenders += [f"{path.relative_to(SRC)} imports {n}" for n in imports_of(path)
                          if n.startswith(("henshin.web", "henshin.cli", "henshin.wiring"))]
    assert offenders == []


def test_select_statements_live_in_repositories() -> None:
    """Domain reads and writes go through repository.py (the only place that builds select())."""
    offenders = []
    for package in ("tickets", "ingest", "contacts", "channels", "workspaces"):
        for path in modules_under(package):
            if path.name == "repository.py":
                continue
            tree = ast.parse(path.read_text())
            offenders.extend(
                f"{path.relative_to(SRC)}:{node.lineno}" for node in ast.walk(tree)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "select"
            )
    assert offenders == []
