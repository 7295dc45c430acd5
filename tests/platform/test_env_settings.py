from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from generation.provenance.keys import KeyFiles, keys_generate
from sora_site import env

ROOT = Path(__file__).resolve().parents[2]


def test_database_url_postgres() -> None:
    config = env.parse_database_url("postgres://u:p%40ss@db.internal:5433/app?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("app", "u", "p@ss")
    assert (config["HOST"], config["PORT"], config["OPTIONS"]) == ("db.internal", "5433", {"sslmode": "require"})


def test_database_url_unix_socket_directory() -> None:
    """The embedded server's form (and libpq's): the socket directory as the `host` query parameter."""
    config = env.parse_database_url("postgres://postgres@/sora?host=/work/var/postgres&sslmode=disable")
    assert (config["NAME"], config["USER"], config["PORT"]) == ("sora", "postgres", "")
    assert config["HOST"] == "/work/var/postgres"
    assert config["OPTIONS"] == {"sslmode": "disable"}


@pytest.mark.parametrize(
    "url",
    [
        "mysql://x/y",
        "postgres://host/",
        "sqlite:///var/db.sqlite3",
        "postgres://h:notaport/db",
        "postgres://h/db?host=/tmp",
    ],
)
def test_bad_database_urls_fail_loudly(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.parse_database_url(url)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("0", False)])
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("FLAG", raw)
    assert env.env_bool("FLAG", not expected) is expected


def test_env_bool_rejects_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env.env_bool("FLAG", False)


def test_env_int_and_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="N must be an integer"):
        env.env_int("N", 1)
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured, match="N must be >= 0"):
        env.env_int("N", 1, minimum=0)
    monkeypatch.setenv("STORE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="STORE must be one of local, s3"):
        env.env_choice("STORE", "local", ("local", "s3"))


def test_env_float_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env.env_float("STRENGTH", 0.8, minimum=0.0, maximum=1.0) == 0.8
    monkeypatch.setenv("STRENGTH", "0.25")
    assert env.env_float("STRENGTH", 0.8, minimum=0.0, maximum=1.0) == 0.25
    for bad in ("1.5", "lots"):
        monkeypatch.setenv("STRENGTH", bad)
        with pytest.raises(ImproperlyConfigured, match="STRENGTH"):
            env.env_float("STRENGTH", 0.8, minimum=0.0, maximum=1.0)


def test_redis_url_checked() -> None:
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.check_redis_url("localhost:6379")


def _settings_process(extra: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MEDIA_STORAGE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "sora_site.settings", **extra})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_bad_settings_stop_the_process_with_the_variable_name(tmp_path: Path) -> None:
    result = _settings_process({"MEDIA_STORAGE": "ftp", "VAR_DIR": str(tmp_path)}, "import django; django.setup()")
    assert result.returncode != 0
    assert "MEDIA_STORAGE must be one of local, s3" in result.stderr


def test_s3_storage_needs_a_bucket(tmp_path: Path) -> None:
    result = _settings_process({"MEDIA_STORAGE": "s3", "VAR_DIR": str(tmp_path)}, "import django; django.setup()")
    assert "S3_BUCKET must be set" in result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    deployed = KeyFiles.in_folder(tmp_path / "deployed-c2pa")  # the chain every host is given
    keys_generate(deployed)
    result = _settings_process(
        {
            "DEBUG": "0",
            "HTTPS_ONLY": "1",
            "SECRET_KEY": "k" * 20 + "Zq9!" * 10 + "x" * 20,
            "ALLOWED_HOSTS": "video.example.org",
            "VAR_DIR": str(tmp_path),
            "C2PA_CERT_FILE": str(deployed.cert),
            "C2PA_KEY_FILE": str(deployed.key),
            "C2PA_TRUST_ANCHORS_FILE": str(deployed.anchors),
        },
        "import django, sys; from django.core.management import call_command; django.setup(); "
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_settings_write_nothing_and_make_run_generates_the_secret_key_once(tmp_path: Path) -> None:
    """Loading the settings creates no file or folder (on a fresh checkout, without SECRET_KEY, Django
    refuses to sign); the setup step `make run` takes writes the key once, owner-only, and every later
    process reads the same one."""
    var_dir = tmp_path / "var"
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    bare = _settings_process({"VAR_DIR": str(var_dir), "SECRET_KEY": ""}, code)
    assert "The SECRET_KEY setting must not be empty" in bare.stderr
    assert not var_dir.exists()

    key_file = env.secret_key_file_ensure(var_dir)
    assert env.secret_key_file_ensure(var_dir) == key_file == var_dir / "secret_key"
    first = _settings_process({"VAR_DIR": str(var_dir), "SECRET_KEY": ""}, code)
    second = _settings_process({"VAR_DIR": str(var_dir), "SECRET_KEY": ""}, code)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text().strip()
    assert len(first.stdout.strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
