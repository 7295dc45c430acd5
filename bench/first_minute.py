"""A new user's first minutes: `make run` on a fresh clone to the first page, where the time went, a
second `make run`, and Generate -> a playing video in Chromium for the first clip after start and the
ones after it.

It clones this checkout's HEAD (commit first) into a new directory, runs `PORT=... make run` there with
no DATABASE_URL / REDIS_URL (the embedded ones, as a new user gets them), timestamps each "==>" line of
its output, and polls / until it answers. Then, in Debian's Chromium (Playwright), it signs in as alice,
and --clips times: opens /create/, types a prompt, clicks Generate (4 s, the default) and waits on the
drafts page for that job's <video> to play (muted; `currentTime` moving). Then it stops the run (Ctrl-C,
as a person would) and starts it again for the second-run time. Everything it started is stopped at the
end; the clone is removed unless --keep.

--cold uses empty pip and uv caches inside the clone (the packages are downloaded again); without it
the machine's caches are used. The machine's load average is printed with the results: on a shared machine
say what it was. Usage:

    .venv/bin/python bench/first_minute.py [--port 8022] [--clips 5] [--cold] [--keep] [--no-second-run]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sora_site import embedded_postgres  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "VAR_DIR", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PORT")
PROMPTS = [
    "a paper boat drifting on a quiet pond at dawn",
    "a red kite over green hills, slow pan",
    "a lighthouse in a storm, waves crashing",
    "a fox walking through fresh snow in a pine forest",
    "a city street at night in the rain, neon reflections",
    "a hot air balloon rising over a desert canyon",
]


@dataclass
class Run:
    """One `make run`, its output lines with the seconds since start, and when / first answered."""

    clone: Path
    port: int
    env: dict[str, str]
    lines: list[tuple[float, str]] = field(default_factory=list)
    first_page: float | None = None

    def start(self) -> None:
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            ["make", "run"],
            cwd=self.clone,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic() - self.started, line.rstrip("\n")))

    def wait_for_first_page(self, timeout: float) -> float:
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"make run exited ({self.process.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2):
                    self.first_page = time.monotonic() - self.started
                    return self.first_page
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
        raise SystemExit(f"no page after {timeout:.0f} s:\n{self.tail()}")

    def wait_for_line(self, text: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in self.lines:
                if text in line:
                    return at
            time.sleep(0.2)
        return None

    def stop(self) -> None:
        """Ctrl-C to the whole run (make and run_local.py share its session), then wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def tail(self, n: int = 30) -> str:
        return "\n".join(line for _at, line in self.lines[-n:])

    def phases(self) -> list[tuple[str, float]]:
        """Each "==>" step and how long until the next one; the last runs to the first page."""
        marks = [(at, line.split("==>", 1)[1].strip()) for at, line in self.lines if "==>" in line]
        ends = [at for at, _ in marks[1:]] + [self.first_page or marks[-1][0]]
        out = [("(make's own start, before the first step)", marks[0][0])] if marks else []
        return out + [(re.sub(r"\s*\(.*", "", name), end - at) for (at, name), end in zip(marks, ends, strict=True)]


def note(text: str) -> None:
    """Progress on stderr as it happens (the tables come at the end, on stdout)."""
    print(f"[first_minute] {text}", file=sys.stderr, flush=True)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# Recorded in the page (epoch ms, the same clock as the database's timestamps): the socket opening,
# each job event pushed, the new card's <video> appearing, and it playing.
PAGE_MARKS = """
window.__marks = [];
const mark = (name) => window.__marks.push([name, Date.now()]);
document.addEventListener("app:socket", (e) => mark(`socket ${e.detail}`));
document.addEventListener("app:event", (e) => {
  if (e.detail.type === "job") mark(`push ${e.detail.state} ${e.detail.progress}`);
});
new MutationObserver(() => {
  const card = document.querySelector("[data-job-id]");  // the newest job's card comes first
  if (window.__video || !card || !card.querySelector("video")) return;
  window.__video = true;
  mark("video in page");
}).observe(document, { childList: true, subtree: true });
"""


# The job's phases in the pipeline's order (generation.worker, generation.finishing).
PHASES = ["generate", "soundtrack_fill", "frames_check", "voice_check", "visible_watermark", "invisible_watermark"]
PHASES += ["encode", "c2pa_sign", "poster", "spritesheet", "frame_hashes", "store"]


@dataclass
class Click:
    """One Generate -> playing: the total and its timeline (seconds after the click, in order)."""

    seconds: float
    timeline: list[tuple[float, str]]


def clicks_to_playing(port: int, password: str, clips: int, database_url: str | None) -> list[Click]:
    """Generate -> the new video playing on the drafts page, per clip, with where the time went: the
    page's marks and, given the database, the job's own (created, claimed, each phase, completed)."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    done: list[Click] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
        page = browser.new_page()
        page.add_init_script(PAGE_MARKS)
        responses: list[tuple[str, float]] = []  # this click's, as they arrive
        page.on("response", lambda response: responses.append((response.url, time.time())))
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        for n in range(clips):
            page.goto(f"{base}/create/")
            page.fill("#prompt", f"{PROMPTS[n % len(PROMPTS)]} (take {n + 1})")
            responses.clear()
            clicked, clicked_at = time.monotonic(), time.time()
            page.get_by_role("button", name="Generate", exact=True).click(no_wait_after=True)
            page.wait_for_url(f"{base}/drafts/**", timeout=180_000)
            card = page.locator("[data-job-id]").first
            card.locator("video").wait_for(timeout=120_000)
            card.locator("video").evaluate("v => { v.muted = true; return v.play(); }")
            card.locator("video").evaluate(
                "v => new Promise(done => { const check = () => v.currentTime > 0 ? done() : "
                "requestAnimationFrame(check); check(); })"
            )
            seconds = time.monotonic() - clicked
            timeline = [(at - clicked_at, f"response {url.removeprefix(base)}") for url, at in responses]
            timeline += [(at / 1000 - clicked_at, name) for name, at in page.evaluate("window.__marks")]
            if database_url:
                timeline += job_marks(database_url, card.get_attribute("data-job-id") or "", clicked_at)
            timeline.append((seconds, "playing"))
            done.append(Click(seconds, sorted(timeline)))
            note(f"clip {n + 1}: click -> playing {seconds:.2f} s")
        browser.close()
    return done


def job_marks(database_url: str, public_id: str, clicked_at: float) -> list[tuple[float, str]]:
    """The job's row: created, claimed by the worker, completed, and the seconds of each phase it timed."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT created_at, started_at, completed_at, timings FROM generation_generationjob WHERE public_id = %s",
            (public_id,),
        ).fetchone()
    if row is None:
        return []
    created, started, completed, timings = row
    marks = [(created.timestamp() - clicked_at, "job created"), (completed.timestamp() - clicked_at, "job completed")]
    marks.append((started.timestamp() - clicked_at, "job claimed by the worker"))
    # The row keeps no order of the phases; the checks run beside the encoding, so their times overlap.
    phases = sorted((name for name in timings if name != "total"), key=lambda n: PHASES.index(n) if n in PHASES else 99)
    marks.append((completed.timestamp() - clicked_at, "  " + ", ".join(f"{n} {timings[n]:.2f}" for n in phases)))
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8022)
    parser.add_argument("--clips", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="empty package caches (pip's and uv's)")
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    parser.add_argument("--no-second-run", action="store_true")
    parser.add_argument("--reuse", type=Path, help="a clone kept (--keep) by an earlier run: a warm re-run")
    parser.add_argument(
        "--running",
        type=Path,
        metavar="VAR_DIR",
        help="only the clicks, on a `make run` already serving on --port with this VAR_DIR (DATABASE_URL as it has)",
    )
    args = parser.parse_args()
    if args.running:
        password = (args.running / "demo_password").read_text().strip()
        print(f"load average (1/5/15 min): {load()} before the clicks")
        clicks = clicks_to_playing(args.port, password, args.clips, os.environ.get("DATABASE_URL"))
        print(f"load average (1/5/15 min): {load()} after the clicks\n")
        clicks_report(clicks)
        return 0

    if args.reuse:
        clone, workdir, args.keep = args.reuse.resolve(), args.reuse.resolve().parent, True
    else:
        workdir = Path(tempfile.mkdtemp(prefix="first-minute-"))
        workdir.chmod(0o755)  # as root the embedded PostgreSQL runs as `nobody`, who must enter the clone
        clone = workdir / "openreel"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, text=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(PORT=str(args.port), PYTHONUNBUFFERED="1", HF_HUB_OFFLINE="1")
    if args.cold:
        env.update(PIP_CACHE_DIR=str(workdir / "pip-cache"), UV_CACHE_DIR=str(workdir / "uv-cache"))
    load_before = load_after = load()
    first = Run(clone, args.port, env)
    first.start()
    clicks: list[Click] = []
    second: Run | None = None
    try:
        note(f"first page after {first.wait_for_first_page(timeout=1800):.1f} s (load {load()})")
        first.wait_for_line("Log in as", timeout=300)
        password = (clone / "var" / "demo_password").read_text().strip()
        if args.clips:
            database = embedded_postgres.database_url(clone / "var" / "postgres")
            clicks = clicks_to_playing(args.port, password, args.clips, database)
        load_after = load()
        first.stop()
        if not args.no_second_run:
            second = Run(clone, args.port, env)
            second.start()
            note(f"second run: first page after {second.wait_for_first_page(timeout=600):.1f} s")
    except BaseException:
        note(f"failed; the run's last lines:\n{first.tail()}")
        raise
    finally:
        first.stop()
        if second is not None:
            second.stop()
        cache = "cold (empty pip and uv caches)" if args.cold else "warm (this machine's pip and uv caches)"
        start = "an installed clone, again" if args.reuse else "a fresh clone"
        print(f"\nfirst_minute, commit {commit.stdout.strip()}, {start}, {cache}, {os.cpu_count()} CPUs")
        print(f"load average (1/5/15 min): {load_before} before, {load_after} after the clicks\n")
        report(first, second, clicks, start)
        if args.keep:
            for run, name in ((first, "first"), (second, "second")):
                if run is not None:
                    log = workdir / f"make-run-{name}.log"
                    log.write_text("".join(f"{at:7.1f}  {line}\n" for at, line in run.lines))
                    print(f"\nthe {name} run's output, timed: {log}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def report(first: Run, second: Run | None, clicks: list[Click], start: str) -> None:
    """The tables, with whatever was measured (also when a later step failed)."""
    whole = first.first_page or (first.lines[-1][0] if first.lines else 1.0)
    print("| phase of the first `make run` | s | share |\n|---|---:|---:|")
    for name, seconds in first.phases():
        print(f"| {name} | {seconds:.1f} | {seconds / whole:.0%} |")
    if first.first_page is not None:
        print(f"| **{start} to the first page** | **{first.first_page:.1f}** | |")
    if second is not None and second.first_page is not None:
        print(f"| second `make run` to the first page | {second.first_page:.1f} | |")
        print("\n| phase of the second `make run` | s |\n|---|---:|")
        for name, seconds in second.phases():
            print(f"| {name} | {seconds:.1f} |")
    if clicks:
        print()
        clicks_report(clicks)


def clicks_report(clicks: list[Click]) -> None:
    print("| clip after start | click Generate -> playing, s |\n|---|---:|")
    for n, click in enumerate(clicks, start=1):
        print(f"| {n} | {click.seconds:.2f} |")
    for n, click in enumerate(clicks, start=1):
        print(f"\nclip {n}, seconds after the click:")
        for at, what in click.timeline:
            print(f"  {at:6.2f}  {what}")


if __name__ == "__main__":
    sys.exit(main())
