"""Whether `make run`'s set-up (`manage.py demo_setup`: migrate, signing keys, public figures, demo data)
has anything to do, told without starting Django, so a second `make run` skips that process.

`demo_setup` writes VAR_DIR/setup-stamp.json when it is done: a digest of what it depends on (the
project's migration files, the lock that pins the third-party apps and their migrations, the shipped
public-figure registry, the set-up and demo-data commands, the database's URL) and how many migrations
the database then recorded. The set-up is current when the digest is the same and the database still
records that many migrations (a dropped or recreated database does not). Anything else, an unreadable
stamp or a database that does not answer included, means "run the set-up", which is idempotent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAMP_NAME = "setup-stamp.json"
INPUTS = (
    "requirements.lock",
    "cameos/data/public_figures.toml",
    "feed/management/commands/demo_setup.py",
    "feed/management/commands/seed_demo.py",
)


def setup_digest(*, database_url: str) -> str:
    digest = hashlib.sha256(database_url.encode())
    files = sorted(ROOT.glob("*/migrations/*.py")) + [ROOT / name for name in INPUTS]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    return digest.hexdigest()


def setup_stamp_write(*, var_dir: Path, database_url: str, migrations_applied: int) -> None:
    stamp = {"digest": setup_digest(database_url=database_url), "migrations_applied": migrations_applied}
    (var_dir / STAMP_NAME).write_text(json.dumps(stamp))


def setup_current(*, var_dir: Path, database_url: str) -> bool:
    import psycopg

    try:
        stamp = json.loads((var_dir / STAMP_NAME).read_text())
        if stamp["digest"] != setup_digest(database_url=database_url):
            return False
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            row = conn.execute("SELECT count(*) FROM django_migrations").fetchone()
    except (OSError, ValueError, KeyError, TypeError, psycopg.Error):
        return False
    return row is not None and row[0] == stamp["migrations_applied"]
