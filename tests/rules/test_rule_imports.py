"""The rule language, matcher and business hours are pure: no storage, no web."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import henshin.rules.explain, henshin.rules.compiler, henshin.rules.naive, henshin.routing.hours
storage = ("henshin.db", "henshin.models", "henshin.web", "henshin.tickets", "sqlalchemy")
print(",".join(sorted(m for m in sys.modules if m.startswith(storage))))
"""


def test_rules_and_hours_import_no_storage_layer() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter, our own code
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
