#!/usr/bin/env bash
# Before the first release the schema lives in one initial migration, rebuilt from the models.
# Run after adding or changing a model; tests/db/test_migrations.py checks they agree.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f src/henshin/migrations/versions/0001_*.py
.venv/bin/python -c "
from henshin.db.migrate import autogenerate
autogenerate('sqlite:///$tmp/empty.sqlite3', 'initial schema', rev_id='0001')
"
.venv/bin/ruff format -q src/henshin/migrations/versions/ 2>/dev/null || true
rm -rf "$tmp"
