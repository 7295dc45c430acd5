"""The whole app under load (locust): signed-in people and API clients at once. Run by bench/load_app.py,
which starts the servers, seeds the people and writes LOAD_APP_CONFIG (a JSON file: the session keys,
the API keys, where to log each request).

People (`Person`, think time 2-8 s; by the task weights about one video every 5 minutes each): scroll
For You (the first page, then the pages the player asks for next) and Following, open a post and its
comments, like, comment, and now and then make a video and poll its draft until it is done, as the
drafts page does without its socket. API clients (`ApiClient`, 2-6 s): create a video through /v1, poll
it until it ends, list their videos.

Every request is written to a CSV line (time, endpoint, status, milliseconds, error), so that
load_app.py can tell errors during an injected outage from errors outside one and measure recovery.
Requests time out after 30 s: a request that hangs is reported, not waited for.
"""

from __future__ import annotations

import csv
import html
import json
import os
import random
import re
import time
from typing import Any

from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["LOAD_APP_CONFIG"]).read())
TIMEOUT = 30
NEXT_URL = re.compile(r'data-next-url="([^"]+)"')
POST_ID = re.compile(r'data-post-id="(\d+)"')
JOB_ID = re.compile(r'data-job-id="([^"]+)"')
PROMPTS = ["a paper boat on a pond at dawn", "a red kite over a windy beach", "a cat napping in the sun",
           "rain on a city street at night", "a lighthouse in a storm", "a bowl of ramen, steam rising"]  # fmt: skip
TERMINAL = {"completed", "failed", "cancelled"}

_log = open(CONFIG["requests_csv"], "w", newline="")
_writer = csv.writer(_log)
_sessions = list(CONFIG["sessions"])
_api_keys = list(CONFIG["api_keys"])
_created: list[dict[str, Any]] = []  # every create answered with an id: load_app.py accounts for each


@events.request.add_listener
def _request_logged(name: str, response_time: float, exception: Any, response: Any, **kw: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    _writer.writerow([f"{time.time():.3f}", name, status, f"{response_time:.1f}", repr(exception) if exception else ""])


@events.quitting.add_listener
def _flush(**kw: Any) -> None:
    _log.flush()
    with open(CONFIG["created_json"], "w") as handle:
        json.dump(_created, handle)


class Person(HttpUser):
    """A signed-in person (a seeded account with a session made for the run)."""

    fixed_count = CONFIG["people"]
    wait_time = between(2, 8)

    def on_start(self) -> None:
        self.client.cookies.set(CONFIG["session_cookie"], _sessions.pop())
        self.posts: list[int] = []
        self.next_url = ""
        self.feed("/", "for_you")

    def _post(self, url: str, name: str, data: dict[str, str], **kw: Any) -> Any:
        token = self.client.cookies.get("csrftoken", "")
        headers = {"X-CSRFToken": token, "Referer": self.host + "/"}
        return self.client.post(url, data=data, headers=headers, name=name, timeout=TIMEOUT, **kw)

    def feed(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, timeout=TIMEOUT, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            found = [int(pk) for pk in POST_ID.findall(response.text)]
            if not found and name == "for_you":
                response.failure("no posts in For You")
            self.posts = (found + self.posts)[:40]
            more = NEXT_URL.search(response.text)
            self.next_url = html.unescape(more.group(1)) if more else ""

    @task(240)
    def scroll_for_you(self) -> None:
        if self.next_url and random.random() < 0.7:
            self.feed(self.next_url, "for_you_next_page")
        else:
            self.feed("/", "for_you")

    @task(120)
    def following(self) -> None:
        self.feed("/?tab=following", "following")

    @task(120)
    def open_post(self) -> None:
        if self.posts:
            post = random.choice(self.posts)
            self.client.get(f"/p/{post}/", name="post_page", timeout=TIMEOUT)
            self.client.get(f"/p/{post}/comments/", name="comments", timeout=TIMEOUT)

    @task(120)
    def like(self) -> None:
        if self.posts:
            self._post(f"/p/{random.choice(self.posts)}/like/", "like", {"liked": random.choice("10")})

    @task(40)
    def comment(self) -> None:
        if self.posts:
            text = random.choice(["love this", "so calm", "how did you make this?", "more please", "ここ好き"])
            self._post(f"/p/{random.choice(self.posts)}/comments/new/", "comment", {"text": text})

    @task(1)
    def make_a_video(self) -> None:
        form = {"prompt": random.choice(PROMPTS), "model": "sora-2", "seconds": "4", "size": "720x1280"}
        created = self._post("/create/", "create", form, allow_redirects=False)
        if created.status_code != 302:
            return
        drafts = self.client.get("/drafts/", name="drafts", timeout=TIMEOUT)
        job = JOB_ID.search(drafts.text)  # the newest draft comes first
        if not job:
            return
        _created.append({"door": "web", "id": job.group(1), "at": time.time()})
        # What the drafts page does without its socket.
        _poll_until_done(self.client, f"/drafts/{job.group(1)}.json", "draft_status", "state")


def _poll_until_done(client: Any, url: str, name: str, state_field: str) -> None:
    """GET `url` every 2 s until its `state_field` is terminal, for at most 3 minutes."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        time.sleep(2)
        status = client.get(url, name=name, timeout=TIMEOUT)
        if status.status_code == 200 and status.json()[state_field] in TERMINAL:
            return


class ApiClient(HttpUser):
    """A program with an API key: creates videos through /v1 and polls them."""

    fixed_count = CONFIG["api_clients"]
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {_api_keys.pop()}"

    @task(1)
    def create_and_poll(self) -> None:
        body = {"prompt": random.choice(PROMPTS), "model": "sora-2", "seconds": "4", "size": "720x1280"}
        created = self.client.post("/v1/videos", json=body, name="v1_create", timeout=TIMEOUT)
        if created.status_code != 200:
            return
        video = created.json()["id"]
        _created.append({"door": "api", "id": video, "at": time.time()})
        _poll_until_done(self.client, f"/v1/videos/{video}", "v1_retrieve", "status")

    @task(3)
    def list_videos(self) -> None:
        self.client.get("/v1/videos?limit=20", name="v1_list", timeout=TIMEOUT)
