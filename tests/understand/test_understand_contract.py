"""henshin.understand imports no storage layer (db, models, domain modules)."""

from __future__ import annotations

import ast
from pathlib import Path

import henshin.understand

ALLOWED = ("henshin.understand", "henshin.config")


def test_understand_imports_only_itself_and_config() -> None:
    package = Path(henshin.understand.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names
                          if n.startswith("henshin") and not n.startswith(ALLOWED)]
    assert offenders == []
