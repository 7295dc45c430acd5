"""Demo data for `make run`: the four personas, a few follows, two cameos and a few posts made by the
real pipeline.

Idempotent: running it again only prints the logins. The password is generated once into
VAR_DIR/demo_password (never committed).
"""

from __future__ import annotations

import datetime as dt
import io
import secrets

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from PIL import Image
from skimage import data

from cameos.models import Cameo
from cameos.services.access import cameo_settings_update
from cameos.services.characters import character_create
from feed.accounts.models import User
from feed.accounts.services import user_sign_up
from feed.graph.services import follow_create
from feed.posts.services import post_publish, post_publish_check
from generation import services as generation_services
from generation import worker
from generation.models import GenerationJob

PERSONAS = [
    ("alice", "Alice Liddell", "I make tiny films. Cameos open to friends."),
    ("bob", "Bob Marley-Chen", "Remixing everything."),
    ("charlie", "Charlie", "Just browsing."),
    ("mod", "Moderator", "Keeps the place kind."),
]
DEMO_POSTS = [
    (
        "alice",
        'A paper boat drifting down a rainy neon street at night. A voice says "hello from the gutter".',
        "Rainy night, tiny boat",
    ),
    ("alice", "Anime-style sunrise over a quiet mountain lake, birds crossing the sky.", "Morning"),
    ("bob", 'Retro space station corridor, slow pan, a robot says "welcome aboard".', "Welcome aboard"),
    ("alice", "@chelsea the cat has a picnic in a sunny park.", "Picnic with @chelsea"),
]


class Command(BaseCommand):
    help = "Create demo users and posts (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        password = self._password()
        users = {handle: self._user(handle, name, bio, password) for handle, name, bio in PERSONAS}
        users["mod"].is_moderator = True
        users["mod"].save(update_fields=["is_moderator"])
        follow_create(follower=users["alice"], followee=users["bob"])
        follow_create(follower=users["bob"], followee=users["alice"])
        follow_create(follower=users["charlie"], followee=users["alice"])
        self._cameos(users)
        for handle, prompt, caption in DEMO_POSTS:
            if not users[handle].posts.filter(caption=caption).exists():
                self._post(users[handle], prompt, caption)
        self.stdout.write(f"  Demo logins (password: {password}): {', '.join(users)}")

    def _cameos(self, users: dict[str, User]) -> None:
        """bob's cat, which anyone may use. There is no demo person's cameo: a face reaches a video
        only through its owner's live, verified recording, and no sample photo is anyone's consent."""
        if not Cameo.objects.filter(handle="chelsea").exists():
            photo = io.BytesIO()
            Image.fromarray(data.chelsea()).save(photo, "PNG")
            cat = character_create(
                owner=users["bob"],
                handle="chelsea",
                name="Chelsea the cat",
                kind=Cameo.Kind.PET,
                photos=[SimpleUploadedFile("chelsea.png", photo.getvalue(), content_type="image/png")],
            )
            cameo_settings_update(
                cameo=cat, by=users["bob"], access=Cameo.Access.EVERYONE, preferences="", restrictions_text=""
            )
            self.stdout.write("  made demo pet cameo @chelsea")

    def _password(self) -> str:
        path = settings.VAR_DIR / "demo_password"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)  # the settings never make VAR_DIR
            path.write_text(f"demo-{secrets.token_urlsafe(9)}")
            path.chmod(0o600)
        return path.read_text().strip()

    def _user(self, handle: str, name: str, bio: str, password: str) -> User:
        user = User.objects.filter(username=handle).first()
        if user is None:
            user = user_sign_up(username=handle, password=password, birth_date=dt.date(1994, 5, 17), display_name=name)
            user.bio = bio
            user.save(update_fields=["bio"])
        return user

    def _post(self, author: User, prompt: str, caption: str) -> None:
        job, _ = generation_services.job_create(owner=author, prompt=prompt, seconds=4, seed=len(caption))
        # Rendered here so the demo has posts at once; the worker's copy of the message finds the
        # job already claimed and skips it (that is the duplicate-delivery guard at work).
        worker.job_execute(job.pk)
        job.refresh_from_db()
        if job.state != GenerationJob.State.COMPLETED:
            self.stderr.write(f"demo post failed: {job.error_code} {job.error_message}")
            return
        post = post_publish(job=job, by=author, caption=caption, visibility="public", show_prompt=True)
        post_publish_check(post_id=post.pk)  # the publish stage at once, so the demo feed is not empty
        self.stdout.write(f"  made demo post {caption!r} by @{author.username} ({job.timings.get('total')} s)")
