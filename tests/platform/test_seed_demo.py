from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cameos.models import Cameo
from cameos.selectors import cameo_use_refusal
from feed.models import Post, User

pytestmark = pytest.mark.slow


def test_demo_data_is_made_by_the_pipeline_with_honest_cameos_and_seeding_twice_adds_nothing(db, settings) -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert set(User.objects.values_list("username", flat=True)) == {"alice", "bob", "charlie", "mod"}
    assert User.objects.get(username="mod").is_moderator
    posts = Post.objects.all()
    assert posts.count() == 4
    assert all(post.job.state == "completed" and post.is_preview and post.visibility == "public" for post in posts)
    password = (settings.VAR_DIR / "demo_password").read_text().strip()
    assert f"password: {password}" in out.getvalue()
    assert User.objects.get(username="alice").check_password(password)

    alice, bob, charlie = (User.objects.get(username=name) for name in ("alice", "bob", "charlie"))
    # No person's cameo from a sample photo: a face needs its owner's live recording.
    assert not Cameo.objects.filter(kind=Cameo.Kind.HUMAN).exists()
    cat = Cameo.objects.get(handle="chelsea")
    assert (cat.owner, cat.kind, cat.status, cat.access) == (bob, "pet", "active", "everyone")
    assert cameo_use_refusal(charlie, cat) is None

    picnic = Post.objects.get(caption__startswith="Picnic")
    assert set(picnic.job.cameo_usages.values_list("cameo__handle", flat=True)) == {"chelsea"}

    call_command("seed_demo", stdout=io.StringIO())
    assert Post.objects.count() == 4 and User.objects.count() == 4 and Cameo.objects.count() == 1
