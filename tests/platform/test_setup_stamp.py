"""The set-up stamp a second `make run` trusts to skip `manage.py demo_setup` (sora_site/setup_stamp.py),
read against the test database through a connection of its own, as scripts/run_local.py reads it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from sora_site import setup_stamp
from sora_site.setup_stamp import setup_current, setup_digest, setup_stamp_write

pytestmark = pytest.mark.django_db


def database_url() -> str:
    params = connection.settings_dict
    user = quote(params["USER"] or "", safe="")
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or "5432"
    if host.startswith("/"):
        return f"postgresql://{user}{password}@/{params['NAME']}?host={quote(host, safe='')}&port={port}"
    return f"postgresql://{user}{password}@{host}:{port}/{params['NAME']}"


def migrations_applied(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM django_migrations").fetchone()
    assert row is not None
    return int(row[0])


def test_the_stamp_is_current_while_the_database_and_the_inputs_are_as_it_says(tmp_path: Path) -> None:
    url = database_url()
    applied = migrations_applied(url)
    assert applied > 0
    assert not setup_current(var_dir=tmp_path, database_url=url)  # no stamp yet: set up
    setup_stamp_write(var_dir=tmp_path, database_url=url, migrations_applied=applied)
    assert setup_current(var_dir=tmp_path, database_url=url)
    # Another database (the URL is part of the digest), or one that records other migrations: set up.
    assert not setup_current(var_dir=tmp_path, database_url=url + "_other")
    setup_stamp_write(var_dir=tmp_path, database_url=url, migrations_applied=applied + 1)
    assert not setup_current(var_dir=tmp_path, database_url=url)
    (tmp_path / setup_stamp.STAMP_NAME).write_text("{not json")
    assert not setup_current(var_dir=tmp_path, database_url=url)


def test_a_changed_migration_changes_the_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "feed" / "migrations").mkdir(parents=True)
    migration = tmp_path / "feed" / "migrations" / "0001_initial.py"
    migration.write_text("operations = []\n")
    monkeypatch.setattr(setup_stamp, "ROOT", tmp_path)
    first = setup_digest(database_url="postgres://db/x")
    assert setup_digest(database_url="postgres://db/x") == first
    migration.write_text("operations = ['a new field']\n")
    edited = setup_digest(database_url="postgres://db/x")
    (tmp_path / "feed" / "migrations" / "0002_more.py").write_text("")
    added = setup_digest(database_url="postgres://db/x")
    assert len({first, edited, added}) == 3
