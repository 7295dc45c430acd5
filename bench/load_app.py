"""Benchmark: the whole app under load on loopback, optionally with outages injected while it runs.

    .venv/bin/python bench/load_app.py [--seconds 600] [--people 100] [--api-clients 5] [--outages]
    make bench-load            (the 10-minute run with the outages)
    make bench-load-short      (60 s, no outages)

Everything runs on servers of its own, in a temporary folder, so that it can restart them: PostgreSQL 18
(the embedded one, `sora_site/embedded_postgres.py`), Redis (`sora_site/embedded_redis.py`) and S3
(moto_server behind a TCP relay that can refuse connections). DATABASE_URL and REDIS_URL are ignored:
never a server other people use. On them, with production settings: gunicorn (`--web-workers` WSGI
processes), a `default` and a `gpu` Celery worker (the CPU preview renderer) and beat. It seeds a world
with bench/seed_feed.py (`--posts`, `--users`, `--interactions`), makes sessions for `--people` of the
seeded people and API keys for `--api-clients` more, and runs bench/locustfile.py (locust, headless).

With --outages, while the load runs: SIGKILL the gpu worker in the middle of a job (restarted 5 s later,
as its unit's Restart= would), restart Redis (down 5 s), restart PostgreSQL (a fast shutdown, down 5 s),
and S3 refusing every connection for 30 s. Afterwards it waits for every job to end, then checks that
nothing was lost: every job created ended completed or failed with a reason, failed ones refunded, every
create a client was answered for has its job, no video stored twice.

Prints markdown tables: per endpoint requests, p50 / p95 / p99 / max ms and errors (outside and during
outages); CPU per request (gunicorn, PostgreSQL, Redis, workers); each outage's errors and the time
from its end to the last error; the jobs' accounting. The load average is printed at start and end.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BIN = ROOT / ".venv" / "bin"
BUCKET = "openreel-media"

from sora_site import embedded_postgres, embedded_redis  # noqa: E402  (no Django: settings come later)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Relay:
    """A TCP relay in front of moto_server: the app's S3 endpoint. `refuse()` closes the listening
    socket and cuts open connections (clients get "connection refused"); `accept()` listens again."""

    def __init__(self, target_port: int) -> None:
        self.port, self.target = free_port(), target_port
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.accept()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self.writers -= {writer, up_writer}

    def accept(self) -> None:
        async def start() -> None:
            self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port, reuse_address=True)

        asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    def refuse(self) -> None:
        async def stop() -> None:
            assert self.server is not None
            self.server.close()
            for writer in list(self.writers):
                writer.transport.abort()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)


@dataclass
class Cluster:
    work: Path
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    postgres: subprocess.Popen | None = None
    postgres_argv: list[str] = field(default_factory=list)
    redis: subprocess.Popen | None = None
    redis_port: int = 0
    relay: Relay | None = None

    # --- the servers it owns --------------------------------------------------------------------
    def start_data_servers(self) -> None:
        self.work.chmod(0o755)  # as root the embedded PostgreSQL runs as `nobody`, who must reach its folder
        self.postgres, database_url = embedded_postgres.start(self.work / "postgres", throwaway=True)
        self.postgres_argv = Path(f"/proc/{self.postgres.pid}/cmdline").read_bytes().decode().split("\0")[:-1]
        (self.work / "redis").mkdir()
        self.redis, redis_url = embedded_redis.start(self.work / "redis", preferred_port=free_port())
        self.redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
        moto_port = free_port()
        self.processes["s3"] = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.relay = Relay(moto_port)
        wait_until(lambda: port_open(moto_port), 30, "moto_server")
        (self.work / "var").mkdir()
        (self.work / "prometheus").mkdir()
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/root"),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "sora_site.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "VAR_DIR": str(self.work / "var"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.relay.port}",
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "k",
            "S3_SECRET_ACCESS_KEY": "s",
            "HF_HUB_OFFLINE": "1",
            "LOG_FORMAT": "json",
            # The load, not the quotas, is what is measured: people here make more videos than a day allows.
            "GENERATION_DAILY_SECONDS": "100000",
            "GENERATION_MAX_CONCURRENT": "50",
            "API_RATE_LIMIT_PER_MINUTE": "100000",
            # A killed worker's job goes back to the queue after 30 s without a heartbeat (180 s by default),
            # so that its recovery fits in the run.
            "GENERATION_STALL_SECONDS": "30",
        }

    def restart_postgres(self, down_seconds: float) -> None:
        assert self.postgres is not None
        owner = os.stat(f"/proc/{self.postgres.pid}").st_uid
        self.postgres.send_signal(signal.SIGINT)  # a fast shutdown: clients are disconnected
        self.postgres.wait(timeout=60)
        time.sleep(down_seconds)
        account = {"user": owner, "group": os.stat(self.work / "postgres").st_gid} if owner != os.getuid() else {}
        log = (self.work / "postgres.log").open("ab")
        self.postgres = subprocess.Popen(
            self.postgres_argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True, **account
        )

    def restart_redis(self, down_seconds: float) -> None:
        assert self.redis is not None
        self.redis.terminate()
        self.redis.wait(timeout=30)
        time.sleep(down_seconds)
        self.redis, url = embedded_redis.start(self.work / "redis", preferred_port=self.redis_port)
        assert url == self.env["REDIS_URL"], (url, self.env["REDIS_URL"])

    # --- the app --------------------------------------------------------------------------------
    def start(self, name: str, argv: list[str], **env: str) -> subprocess.Popen:
        log = (self.work / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=self.work,
            env={**self.env, "PROMETHEUS_MULTIPROC_DIR": str(self.work / "prometheus"), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.processes[name]

    def start_worker(self, queue: str) -> None:
        from sora_site.celery import worker_argv

        # As DEPLOYMENT.md's worker env file: a video being stored waits out a short S3 outage.
        self.start(f"worker-{queue}", worker_argv(queues=queue, loglevel="info"), S3_MAX_ATTEMPTS="15")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=60)

    def stop(self) -> None:
        for name in list(self.processes):
            try:
                self.kill(name, signal.SIGTERM)
            except subprocess.TimeoutExpired:
                self.kill(name)
        if self.relay is not None:
            self.relay.loop.call_soon_threadsafe(self.relay.loop.stop)
        if self.redis is not None:
            self.redis.terminate()
        if self.postgres is not None and self.postgres.poll() is None:
            self.postgres.send_signal(signal.SIGINT)
            self.postgres.wait(timeout=60)


def wait_until(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not come up in {seconds:.0f} s")
        time.sleep(0.5)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and all their children, now."""
    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for process in (root, *root.children(recursive=True)):
                times = process.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


# --- the outages ------------------------------------------------------------------------------------
@dataclass
class Outage:
    name: str
    start: float = 0.0
    end: float = 0.0
    note: str = ""


def outages_run(cluster: Cluster, started: float, seconds: int, log: list[Outage]) -> None:
    """Spread over the run: the worker kill at 15 %, Redis at 35 %, PostgreSQL at 55 %, S3 at 70 %."""
    from generation.models import GenerationJob

    def at(fraction: float) -> None:
        time.sleep(max(0.0, started + fraction * seconds - time.time()))

    at(0.15)
    outage = Outage("gpu worker SIGKILL mid-job")
    deadline = time.time() + 60
    running = None
    while time.time() < deadline and running is None:
        running = GenerationJob.objects.filter(state="in_progress").values_list("public_id", flat=True).first()
        time.sleep(0.2)
    outage.start = time.time()
    cluster.kill("worker-gpu")
    time.sleep(5)
    cluster.start_worker("gpu")
    outage.end, outage.note = time.time(), f"job {running} was running" if running else "no job was running"
    log.append(outage)

    for fraction, name, restart in (
        (0.35, "Redis restart (down 5 s)", lambda: cluster.restart_redis(5)),
        (0.55, "PostgreSQL restart (fast shutdown, down 5 s)", lambda: cluster.restart_postgres(5)),
    ):
        at(fraction)
        outage = Outage(name, start=time.time())
        restart()
        outage.end = time.time()
        log.append(outage)

    at(0.70)
    assert cluster.relay is not None
    outage = Outage("S3 refuses connections for 30 s", start=time.time())
    cluster.relay.refuse()
    time.sleep(30)
    cluster.relay.accept()
    outage.end = time.time()
    log.append(outage)


# --- setup ------------------------------------------------------------------------------------------
def world_setup(args: argparse.Namespace, work: Path) -> dict[str, object]:
    """Migrate, make the signing keys and the bucket, seed, make the sessions and API keys."""
    import boto3
    import feed_load
    import seed_feed
    from django.conf import settings
    from django.core.management import call_command

    from feed.models import User
    from feed.ranking import vector_index
    from generation.api.keys import api_key_create

    call_command("migrate", verbosity=0)
    call_command("provenance_keys")
    boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        aws_access_key_id="k",
        aws_secret_access_key="s",
        region_name="us-east-1",
    ).create_bucket(Bucket=BUCKET)
    started = time.perf_counter()
    with vector_index.index_dropped():
        seed_feed.seed(args.posts, args.users, args.interactions, random.Random(7))
    print(f"seeded {args.posts:,} posts, {args.users:,} people in {time.perf_counter() - started:.0f} s")
    sessions = feed_load.sessions(args.people)
    api_people = User.objects.filter(username__startswith=seed_feed.PREFIX).order_by("-pk")[: args.api_clients]
    keys = [api_key_create(owner=person, name="load test")[1] for person in api_people]
    return {
        "people": args.people,
        "api_clients": args.api_clients,
        "sessions": sessions,
        "api_keys": keys,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "requests_csv": str(work / "requests.csv"),
        "created_json": str(work / "created.json"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--people", type=int, default=100)
    ap.add_argument("--api-clients", type=int, default=5)
    ap.add_argument("--outages", action="store_true")
    ap.add_argument("--web-workers", type=int, default=2)
    ap.add_argument("--web-threads", type=int, default=1, help="gunicorn's --threads (above 1: gthread workers)")
    ap.add_argument(
        "--worker-niceness", type=int, help="the workers' WORKER_NICENESS (left out: the app's default; 0: none)"
    )
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=1_000)
    ap.add_argument("--interactions", type=int, default=100_000)
    ap.add_argument("--warm-up", type=int, default=30, help="seconds at the start left out of the percentiles")
    ap.add_argument("--keep", action="store_true", help="keep the working folder (logs, requests.csv)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="load-app-"))
    cluster = Cluster(work)
    try:
        run(args, cluster)
    finally:
        cluster.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, cluster: Cluster) -> None:
    cluster.start_data_servers()
    if args.worker_niceness is not None:
        cluster.env["WORKER_NICENESS"] = str(args.worker_niceness)
    os.environ.update(cluster.env)
    import django

    django.setup()
    config = world_setup(args, cluster.work)
    config_path = cluster.work / "locust.json"
    config_path.write_text(json.dumps(config))

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    gunicorn = [str(BIN / "gunicorn"), "sora_site.wsgi", "-w", str(args.web_workers), "-b", f"127.0.0.1:{port}"]
    gunicorn += ["--threads", str(args.web_threads)]
    web = cluster.start("web", [*gunicorn, "-t", "120"])
    cluster.start_worker("default")
    cluster.start_worker("gpu")
    cluster.start("beat", [sys.executable, "-m", "celery", "-A", "sora_site", "beat", "-s", "var/beat-schedule"])

    def up() -> bool:
        try:
            import urllib.request

            return urllib.request.urlopen(f"{url}/readyz", timeout=30).status == 200
        except OSError:
            return False

    wait_until(up, 300, "the web server")
    # The load starts once every process has loaded its models (web: MiniLM, then the prompt stage on a
    # thread; workers: WORKER_MODELS in each pool process), as an operator's rolling restart would wait.
    web_log = cluster.work / "web.log"
    wait_until(lambda: web_log.read_text(errors="replace").count("web: models loaded") >= args.web_workers, 900, "web")
    for queue in ("default", "gpu"):
        log = cluster.work / f"worker-{queue}.log"
        wait_until(lambda log=log: ": models loaded in" in log.read_text(errors="replace"), 900, f"the {queue} worker")
    print(f"load average at start: {open('/proc/loadavg').read().strip()}")

    from django.db import close_old_connections

    from generation.models import GenerationJob

    servers = {
        "web (gunicorn)": lambda: [web.pid],
        "PostgreSQL": lambda: [cluster.postgres.pid] if cluster.postgres else [],
        "Redis": lambda: [cluster.redis.pid] if cluster.redis else [],
        "workers + beat": lambda: [p.pid for n, p in cluster.processes.items() if n.startswith(("worker", "beat"))],
    }
    cpu: dict[str, float] = defaultdict(float)
    last = {name: cpu_seconds(pids()) for name, pids in servers.items()}
    outages: list[Outage] = []
    started = time.time()
    if args.outages:
        threading.Thread(target=outages_run, args=(cluster, started, args.seconds, outages), daemon=True).start()
    locust = subprocess.Popen(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", url,
         "-u", str(args.people + args.api_clients), "-r", "10", "-t", f"{args.seconds}s", "--only-summary",
         "--stop-timeout", "30", "--loglevel", "WARNING"],
        env={**os.environ, "LOAD_APP_CONFIG": str(config_path)},
        stdout=(cluster.work / "locust.log").open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    # CPU is sampled every 5 s and summed, so a process restarted by an outage keeps its earlier share.
    while locust.poll() is None:
        time.sleep(5)
        for name, pids in servers.items():
            now = cpu_seconds(pids())
            cpu[name] += max(0.0, now - last[name])
            last[name] = now
    ended = time.time()
    print(f"load average at end: {open('/proc/loadavg').read().strip()}")

    # Every job ends: wait for the queue to drain (the watchdog requeues a killed worker's job).
    close_old_connections()
    deadline = time.monotonic() + 600
    while GenerationJob.objects.filter(state__in=("queued", "in_progress", "finishing")).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(5)
    drained = time.time()
    report(args, cluster, started, ended, drained, outages, cpu)


def report(
    args: argparse.Namespace,
    cluster: Cluster,
    started: float,
    ended: float,
    drained: float,
    outages: list[Outage],
    cpu: dict[str, float],
) -> None:
    rows = list(csv.reader(open(cluster.work / "requests.csv")))
    during = [(o.start, o.end + 30) for o in outages]  # an outage's window: until 30 s after it ends

    def in_outage(at: float) -> bool:
        return any(a <= at <= b for a, b in during)

    def calm(at: float) -> bool:
        return at >= started + args.warm_up and not in_outage(at)

    by_name: dict[str, list[list[str]]] = defaultdict(list)
    for row in rows:
        by_name[row[1]].append(row)
    seconds = ended - started
    print(f"\n## {len(rows):,} requests in {seconds:.0f} s ({len(rows) / seconds:.1f} req/s)\n")
    print(
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors outside outages | errors during |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in sorted(by_name, key=lambda n: -len(by_name[n])):
        group = by_name[name]
        steady = [float(r[3]) for r in group if calm(float(r[0]))] or [0.0]
        errors = [r for r in group if r[4] or int(r[2]) >= 400 or int(r[2]) == 0]
        inside = sum(1 for r in errors if in_outage(float(r[0])))
        print(
            f"| {name} | {len(group)} | {len(group) / seconds:.2f} | {percentile(steady, 50):.0f} "
            f"| {percentile(steady, 95):.0f} | {percentile(steady, 99):.0f} | {max(steady):.0f} "
            f"| {len(errors) - inside} | {inside} |"
        )
    print(f"\n(percentiles and max: the requests after the first {args.warm_up} s, outside the outages' windows)\n")
    # The same requests split by whether a video job was being made on these cores at the time: what the
    # workers' CPU costs the pages.
    from generation.models import GenerationJob

    busy = [
        (job.started_at.timestamp(), job.completed_at.timestamp())
        for job in GenerationJob.objects.exclude(started_at=None).exclude(completed_at=None)
    ]
    print("| endpoint | p95 ms while a job runs | requests | p95 ms while none runs | requests |")
    print("|---|---:|---:|---:|---:|")
    for name in sorted(by_name, key=lambda n: -len(by_name[n])):
        split: dict[bool, list[float]] = {True: [], False: []}
        for r in by_name[name]:
            if calm(float(r[0])):
                split[any(a <= float(r[0]) <= b for a, b in busy)].append(float(r[3]))
        print(
            f"| {name} | {percentile(split[True] or [0.0], 95):.0f} | {len(split[True])} "
            f"| {percentile(split[False] or [0.0], 95):.0f} | {len(split[False])} |"
        )
    print()
    print("| process | CPU s | CPU ms per request |")
    print("|---|---:|---:|")
    for name, total in cpu.items():
        print(f"| {name} | {total:.0f} | {1000 * total / max(1, len(rows)):.1f} |")

    if outages:
        print("\n| outage | lasted s | errors during it and 30 s after | last error after its end (s) |")
        print("|---|---:|---:|---:|")
        for outage in outages:
            errors = [
                float(r[0])
                for r in rows
                if (r[4] or int(r[2]) >= 500 or int(r[2]) == 0) and outage.start <= float(r[0]) <= outage.end + 30
            ]
            last = f"{max(errors) - outage.end:.1f}" if errors else "-"
            print(f"| {outage.name} ({outage.note}) | {outage.end - outage.start:.1f} | {len(errors)} | {last} |")
    jobs_report(cluster, drained - ended)


def jobs_report(cluster: Cluster, drain_seconds: float) -> None:
    import boto3

    from generation.models import GenerationJob

    created = json.loads((cluster.work / "created.json").read_text())
    jobs = {job.public_id: job for job in GenerationJob.objects.all()}
    states: dict[str, int] = defaultdict(int)
    problems = []
    for job in jobs.values():
        states[job.state] += 1
        if job.state == "completed" and job.charged_seconds != job.seconds:
            problems.append(f"{job.public_id}: completed but charged {job.charged_seconds} s")
        if job.state in ("failed", "cancelled") and (job.charged_seconds or not job.error_code):
            problems.append(f"{job.public_id}: {job.state} ({job.error_code!r}) still charged {job.charged_seconds} s")
        if job.state not in ("completed", "failed", "cancelled"):
            problems.append(f"{job.public_id}: still {job.state}")
    missing = [entry["id"] for entry in created if entry["id"] not in jobs]
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        aws_access_key_id="k",
        aws_secret_access_key="s",
        region_name="us-east-1",
    )
    videos: dict[str, list[str]] = defaultdict(list)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="drafts/"):
        for item in page.get("Contents", []):
            if item["Key"].endswith(".mp4"):
                videos[item["Key"].rsplit("/", 1)[1].rsplit("-", 1)[0]].append(item["Key"])
    twice = {public_id: keys for public_id, keys in videos.items() if len(keys) > 1}
    orphans = [
        key
        for public_id, keys in videos.items()
        for key in keys
        if public_id not in jobs or jobs[public_id].video.name != key
    ]
    failed = defaultdict(int)
    for job in jobs.values():
        if job.state == "failed":
            failed[job.error_code] += 1
    print(f"\n## Jobs ({len(created)} creates answered, {len(jobs)} jobs; drained {drain_seconds:.0f} s after)\n")
    print("| state | jobs |\n|---|---:|")
    for state, count in sorted(states.items()):
        print(f"| {state} | {count} |")
    print(f"\nfailed by reason: {dict(failed) or 'none'}; requeued after a lost worker: "
          f"{sum(1 for j in jobs.values() if j.failures)}")  # fmt: skip
    print(f"answered creates without a job: {len(missing)}; videos stored twice: {len(twice)}; "
          f"stored files no job points at: {len(orphans)} {orphans[:3]}")  # fmt: skip
    print(f"accounting problems: {len(problems)} {problems[:10]}")


if __name__ == "__main__":
    main()
