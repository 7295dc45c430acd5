"""The quickest setup: no Redis (Celery tasks run inline in the web process), `manage.py runserver`, a
key from `manage.py api_key_create`, and an unchanged SDK script creates and downloads a video."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openai import OpenAI

from feed.models import User
from sora_site import media
from tests.conftest import ROOT, database_url_for_test_db
from tests.platform.test_run_local import free_port, port_is_free

pytestmark = pytest.mark.slow


def test_runserver_without_redis_serves_the_sdk(alice: User, transactional_db, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {"DATABASE_URL": database_url_for_test_db(), "VAR_DIR": str(tmp_path)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    made = subprocess.run([*manage, "api_key_create", "alice", "--name", "script"], env=env, capture_output=True)
    assert made.returncode == 0, made.stderr
    key = made.stdout.decode().strip()
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while port_is_free(port):
            assert time.monotonic() < deadline and server.poll() is None, "runserver did not start"
            time.sleep(0.2)
        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0)
        video = client.videos.create_and_poll(prompt="a paper boat on a pond", seconds="4")
        assert video.status == "completed"
        client.videos.download_content(video.id).write_to_file(tmp_path / "boat.mp4")
        assert media.probe(tmp_path / "boat.mp4").video_codec == "h264"
    finally:
        # Daphne's runserver stops gracefully on SIGTERM: 7 s at load 10 here. Killed after 30 s, so
        # no server is left to answer on the test database during the next test.
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
