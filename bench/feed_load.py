"""Benchmark: For You and Following over real HTTP on loopback, for signed-in people, with wrk.

    DATABASE_URL=postgres://... .venv/bin/python bench/seed_feed.py --posts 20000 --users 2000 \\
        --interactions 200000 --measure 0 --keep
    DATABASE_URL=postgres://... .venv/bin/python bench/feed_load.py [--seconds 20] [--connections 8] [--workers 2]

Signs in 500 of the seeded people (sessions made directly in the session store), starts gunicorn
(WSGI, `--workers` processes) on 127.0.0.1, and drives GET / (For You) and GET /?tab=following with
wrk (Debian's `wrk` package), each request with a random person's session cookie. Prints wrk's
latency percentiles and requests a second. Delete the seeded rows afterwards with
`bench/seed_feed.py --clean`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
# The key the sessions here and the server started below sign with (the settings never make one).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from feed.models import User  # noqa: E402

LUA = """
local cookies = {}
for line in io.lines("%s") do cookies[#cookies + 1] = line end
math.randomseed(7)
request = function()
  return wrk.format("GET", "%s", { ["Cookie"] = "%s=" .. cookies[math.random(#cookies)] })
end
"""


def sessions(count: int) -> list[str]:
    keys = []
    for user in User.objects.filter(username__startswith="bench_").order_by("pk")[:count]:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key or "")
    return keys


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    keys = sessions(500)
    if not keys:
        raise SystemExit("No seeded people: run bench/seed_feed.py --keep first")
    work = Path(tempfile.mkdtemp(prefix="feed-load-"))
    (work / "cookies").write_text("\n".join(keys))
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "sora_site.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}"],
        cwd=ROOT,
        env={**os.environ, "FEED_SIMILAR_REFRESH_SECONDS": "60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for name, path in (("For You", "/"), ("Following", "/?tab=following")):
            script = work / f"{name[0]}.lua"
            script.write_text(LUA % (work / "cookies", path, settings.SESSION_COOKIE_NAME))
            # A short warm-up per worker (model load, the shared vector matrix), then the measured run.
            subprocess.run(["wrk", "-t1", "-c2", "-d5s", "-s", str(script), base], capture_output=True, check=True)
            result = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s", str(script), base],
                capture_output=True,
                text=True,
                check=True,
            )
            print(f"## {name} ({path})\n{result.stdout}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
