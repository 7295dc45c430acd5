"""Progress as the owner's socket receives it: a step at the end of every finishing phase (the
moderation stages, watermarks, encode, signing, poster, store), in order, by each phase's share of the
last job's time, and 100 only once the video is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from feed.models import User
from generation import services, worker
from generation.models import GenerationJob
from generation.selectors import phase_shares
from sora_site.events import user_group

pytestmark = pytest.mark.slow


async def _receive(layer: Any, channel: str) -> dict[str, Any]:
    message: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), timeout=1.0)
    return message


def pushed_while_running(owner: User, capture: Callable[..., Any]) -> tuple[GenerationJob, list[dict[str, Any]]]:
    """Run a 4 s job as the worker does; every event its owner's tabs were sent, in order."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(owner.pk), channel)
    job, _ = services.job_create(owner=owner, prompt='a lighthouse in a storm, a sailor says "hold fast"', seconds=4)
    with capture(execute=True):  # the worker's pushes, sent as they commit
        worker.job_execute(job.pk)
    events = []
    while True:
        try:
            events.append(async_to_sync(_receive)(layer, channel)["event"])
        except TimeoutError:
            break
    job.refresh_from_db()
    return job, [e for e in events if e.get("id") == job.public_id]


@pytest.mark.parametrize("jobs_before", [0, 1])
def test_progress_steps_through_every_finishing_phase_in_order(
    alice: User, django_capture_on_commit_callbacks: Callable[..., Any], jobs_before: int
) -> None:
    for _ in range(jobs_before):  # its timings are the next job's shares
        pushed_while_running(alice, django_capture_on_commit_callbacks)
    job, events = pushed_while_running(alice, django_capture_on_commit_callbacks)
    assert job.state == "completed", job.error_message
    states = [e["state"] for e in events]
    assert states[0] == "in_progress" and states[-1] == "completed"
    assert states == sorted(states, key=["in_progress", "finishing", "completed"].index)
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress) and progress[-1] == 100
    assert all(p < 100 for p in progress[:-1])  # 100 only with the stored video
    assert events[-1]["video_url"] and not any(e["video_url"] for e in events[:-1])
    finishing_phases = set(job.timings) - {"generate", "total"}
    assert len([s for s in states if s == "finishing"]) > len(finishing_phases)  # the move to it, then each phase


def test_phase_shares_are_each_phases_part_of_the_last_jobs_time(
    alice: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    assert phase_shares("preview") == {}  # nothing to go by yet: the worker's first-job defaults apply
    job, _ = pushed_while_running(alice, django_capture_on_commit_callbacks)
    shares = phase_shares("preview")
    assert set(shares) == set(job.timings) - {"total"}
    assert sum(shares.values()) == pytest.approx(1.0)
    phases = sum(s for name, s in job.timings.items() if name != "total")
    assert shares["encode"] == pytest.approx(job.timings["encode"] / phases)
