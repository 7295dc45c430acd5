from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from feed.models import Post, User

pytestmark = pytest.mark.slow


def test_demo_data_is_made_by_the_pipeline_and_seeding_twice_adds_nothing(db, settings) -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert set(User.objects.values_list("username", flat=True)) == {"alice", "bob", "charlie", "mod"}
    assert User.objects.get(username="mod").is_moderator
    posts = Post.objects.all()
    assert posts.count() == 3
    assert all(post.job.state == "completed" and post.is_preview and post.visibility == "public" for post in posts)
    password = (settings.VAR_DIR / "demo_password").read_text().strip()
    assert f"password: {password}" in out.getvalue()
    assert User.objects.get(username="alice").check_password(password)

    call_command("seed_demo", stdout=io.StringIO())
    assert Post.objects.count() == 3 and User.objects.count() == 4
