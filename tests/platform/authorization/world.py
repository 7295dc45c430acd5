"""The matrix's world: the personas and every object in its states, made through the services and the
test builders as people would make them (one video really rendered; the others finished with copies of
its files, since who may read a file does not depend on its pixels)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from skimage import data

from cameos.models import Cameo
from cameos.services import access, public_figures
from feed.engagement.services import comment_create
from feed.graph.services import block_create, follow_create
from feed.models import Post, User
from feed.posts.services import post_update
from generation import services as job_services
from generation import worker
from generation.api.keys import api_key_create
from generation.api.webhooks.endpoints import webhook_endpoint_create
from generation.models import GenerationJob
from generation.transitions import job_end
from moderation.appeals import appeal_create
from moderation.cases import case_act
from moderation.models import ModerationCase
from moderation.reports import report_create
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_published
from tests.conftest import make_user
from tests.platform.authorization.policy import ADULT, BANNED, MOD, SUSPENDED, TEEN, Persona

PROMPT = "a paper boat drifting across a calm pond"


@dataclass
class Target:
    """One object in one state. `owner` is who the "owner" persona is for it; `of` the object itself."""

    owner: User
    of: Any
    marker: str = ""  # text that shows the object on a page that lists it
    extra: Any = None  # what a door needs besides the object (a cameo's usage id)


@dataclass
class World:
    personas: dict[Persona, User | None]
    targets: dict[str, dict[str, Target]] = field(default_factory=dict)
    api_keys: dict[int, str] = field(default_factory=dict)

    clients: dict[tuple[int | None, bool], Client] = field(default_factory=dict)
    pages: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)

    def client(self, user: User | None, *, api: bool) -> Client:
        """The person's client: signed in (its session made here, outside any cell's savepoint), or
        holding their /v1 Bearer key. Cells restore its cookies, so nothing carries over."""
        key = (user.pk if user is not None else None, api)
        if key not in self.clients:
            if api:
                headers = {"HTTP_AUTHORIZATION": f"Bearer {self.api_keys[user.pk]}"} if user is not None else {}
                self.clients[key] = Client(raise_request_exception=False, **headers)
            else:
                self.clients[key] = Client(raise_request_exception=False)
                if user is not None:
                    self.clients[key].force_login(user)
        return self.clients[key]

    def page(self, client: Client, url: str) -> tuple[int, str]:
        """A listing page as this client gets it, read once: every cell starts from the same rows."""
        if (id(client), url) not in self.pages:
            response = client.get(url)
            self.pages[id(client), url] = (response.status_code, response.content.decode())
        return self.pages[id(client), url]

    def add(self, kind: str, state: str, target: Target) -> None:
        self.targets.setdefault(kind, {})[state] = target


def _rendered(owner: User) -> GenerationJob:
    job, _ = job_services.job_create(owner=owner, prompt=PROMPT)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.state == GenerationJob.State.COMPLETED, job.error_message
    return job


def _finished(owner: User, like: GenerationJob, *, remix_of: GenerationJob | None = None) -> GenerationJob:
    """A new job of `owner`'s, completed with copies of `like`'s files."""
    job, _ = job_services.job_create(owner=owner, prompt=PROMPT, remix_of=remix_of)
    files = {}
    for name in ("video", "poster", "spritesheet"):
        stored = getattr(like, name)
        with stored.open("rb") as handle:
            files[name] = default_storage.save(
                f"drafts/matrix/{job.public_id}-{stored.name.rsplit('/', 1)[-1]}", handle
            )
    assert job_end(job.pk, state=GenerationJob.State.COMPLETED, is_preview=like.is_preview, **files)
    job.refresh_from_db()
    return job


def _job_add(world: World, state: str, owner: User, job: GenerationJob) -> None:
    world.add("job", state, Target(owner, job, marker=job.public_id))


def _failed(owner: User) -> GenerationJob:
    job, _ = job_services.job_create(owner=owner, prompt=PROMPT)
    job_services.job_revoke(job_id=job.pk, code="worker_lost", message="The worker stopped answering.")
    job.refresh_from_db()
    return job


def _cancelled_remix(by: User, source: GenerationJob) -> GenerationJob:
    job, _ = job_services.job_create(owner=by, prompt=PROMPT + " at night", remix_of=source)
    return job_services.job_cancel(job=job, by=by)


def _act(mod: User, reporter: User, subject_type: str, subject_id: int, action: str, **days: int) -> ModerationCase:
    case = report_create(reporter=reporter, subject_type=subject_type, subject_id=str(subject_id), category="spam").case
    return case_act(case_id=case.pk, by=mod, action=action, reason="matrix: rules broken", **days)


def _face_photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.fromarray(data.astronaut()[0:400, 100:400]).save(out, "JPEG")
    return SimpleUploadedFile("face.jpg", out.getvalue(), content_type="image/jpeg")


def world_build() -> World:
    alice = make_user("alice", display_name="Alice Liddell", bio="I make tiny films.")
    bob = make_user("bob", display_name="Bob")
    charlie = make_user("charlie", display_name="Charlie")
    tess = make_user("tess", age=15, display_name="Tess")
    sam = make_user("sam", display_name="Sam")
    bart = make_user("bart", display_name="Bart")
    mod = make_user("mod", display_name="Moderator", is_moderator=True)
    hana = make_user("hana", display_name="Hana", bio="Hana hides this bio.")
    blake = make_user("blake", display_name="Blake", bio="Blake keeps this bio.")
    evan, paula, rita, rosa = make_user("evan"), make_user("paula"), make_user("rita"), make_user("rosa")
    tina = make_user("tina", age=15, display_name="Tina")
    world = World(personas={"anonymous": None, ADULT: charlie, TEEN: tess, SUSPENDED: sam, BANNED: bart, MOD: mod})
    everyone = [alice, bob, charlie, tess, sam, bart, mod, hana, blake, evan, paula, rita, rosa, tina]
    for person in everyone:
        world.api_keys[person.pk] = api_key_create(
            owner=person, name=f"key of @{person.username}", rate_limit_per_minute=100_000
        )[1]
    viewers = [charlie, tess, sam, bart, mod]

    # Posts. One video really rendered; the rest finished with copies of its files.
    rendered = _rendered(alice)
    public = post_published(job=rendered, by=alice, caption="a kite over the dunes")
    private = post_published(job=_finished(alice, rendered), by=alice, caption="a lantern on a porch")
    taken_down = post_published(job=_finished(alice, rendered), by=alice, caption="a red kite in the wind")
    teen_unsuitable = post_published(
        job=_finished(alice, rendered), by=alice, caption="a scary film scene in a dark house with blood on the walls"
    )
    assert teen_unsuitable.review == Post.Review.CLEAR and not teen_unsuitable.teen_suitable
    # Under the caption's refusal bar, over the publish stage's review bar: held for a moderator.
    in_review = post_published(
        job=_finished(alice, rendered), by=alice, caption="a boxer with a bloody face after the round"
    )
    assert in_review.review == Post.Review.HELD
    hana_post = post_published(job=_finished(hana, rendered), by=hana, caption="hana's reel")
    blake_post = post_published(job=_finished(blake, rendered), by=blake, caption="blake's reel")
    sam_post = post_published(job=_finished(sam, rendered), by=sam, caption="sam's reel")
    bart_post = post_published(job=_finished(bart, rendered), by=bart, caption="bart's reel")

    # Drafts: bob's remixes, cancelled, of posts that then go private or get taken down.
    remix_of_private = _cancelled_remix(bob, private.job)
    remix_of_taken_down = _cancelled_remix(bob, taken_down.job)
    post_update(post=private, by=alice, caption=private.caption, visibility=Post.Visibility.PRIVATE)
    hide_case = _act(mod, evan, "post", taken_down.pk, "hide")
    hide_sanction = hide_case.sanctions.get()
    appeal = appeal_create(sanction_id=hide_sanction.pk, by=alice, text="It was a costume.")
    _job_add(world, "queued", alice, job_services.job_create(owner=alice, prompt=PROMPT)[0])
    _job_add(world, "completed", alice, _finished(alice, rendered))
    _job_add(world, "failed", alice, _failed(alice))
    _job_add(world, "cancelled_remix_of_private", bob, remix_of_private)
    _job_add(world, "cancelled_remix_of_taken_down", bob, remix_of_taken_down)
    _job_add(world, "failed_owner_suspended", sam, _failed(sam))
    _job_add(world, "completed_owner_suspended", sam, _finished(sam, rendered))
    _job_add(world, "failed_owner_banned", bart, _failed(bart))
    _job_add(world, "completed_owner_banned", bart, _finished(bart, rendered))

    # Comments on the public post: one shown, one hidden by a moderator.
    shown = comment_create(author=bob, post=public, text="kind words about the kite")
    hidden = comment_create(author=bob, post=public, text="second thoughts about the kite")
    _act(mod, evan, "comment", hidden.pk, "hide")
    world.add("comment", "visible", Target(bob, shown, marker=shown.text))
    world.add("comment", "hidden", Target(bob, hidden, marker=hidden.text))

    # Profiles: bob follows each and each follows bob (the follower lists' marker); hana's is hidden by a
    # moderator; blake blocks every signed-in persona.
    for person in (alice, hana, blake):
        follow_create(follower=bob, followee=person)
        follow_create(follower=person, followee=bob)
    _act(mod, evan, "profile", hana.pk, "hide")
    for viewer in viewers:
        block_create(blocker=blake, blocked=viewer)
    world.add("profile", "normal", Target(alice, alice, marker=alice.bio))
    world.add("profile", "hidden", Target(hana, hana, marker=hana.bio))
    world.add("profile", "blocks_viewer", Target(blake, blake, marker=blake.bio))

    # Standing: sam suspended, bart banned (after they made their things).
    suspension = _act(mod, evan, "profile", sam.pk, "suspend", days=30).sanctions.get()
    _act(mod, evan, "profile", bart.pk, "ban")

    for state, post in (
        ("public", public),
        ("private", private),
        ("teen_unsuitable", teen_unsuitable),
        ("in_review", in_review),
        ("taken_down", taken_down),
        ("author_hidden", hana_post),
        ("author_blocks", blake_post),
        ("author_suspended", sam_post),
        ("author_banned", bart_post),
    ):
        world.add("post", state, Target(post.author, post, marker=f"/p/{post.pk}/"))

    # Cameos.
    world.add("cameo", "approved", Target(alice, active_cameo(alice, access=Cameo.Access.APPROVED)))
    evans = active_cameo(evan, access=Cameo.Access.EVERYONE)
    used, _ = job_services.job_create(owner=bob, prompt="@evan waves from a paper boat")
    world.add("cameo", "everyone", Target(evan, evans, extra=used.cameo_usages.get().pk))
    paused = active_cameo(paula, access=Cameo.Access.EVERYONE)
    access.cameo_pause(cameo=paused, by=paula, paused=True)
    world.add("cameo", "paused", Target(paula, paused))
    revoked = active_cameo(rita, access=Cameo.Access.EVERYONE)
    for viewer in viewers:
        access.cameo_revoke_access(cameo=revoked, by=rita, user=viewer)
    world.add("cameo", "revoked", Target(rita, revoked))
    world.add("cameo", "teen", Target(tina, active_cameo(tina, access=Cameo.Access.MUTUALS)))
    ruled = active_cameo(rosa, access=Cameo.Access.EVERYONE)
    access.cameo_settings_update(
        cameo=ruled, by=rosa, access="everyone", preferences="", restrictions_text="nothing political"
    )
    world.add("cameo", "rules", Target(rosa, ruled))

    # Moderation: an open case (bob reports alice's public post), alice's appeal of the hide, sam's
    # suspension (not appealed yet), a public figure in the registry.
    open_case = report_create(reporter=bob, subject_type="post", subject_id=str(public.pk), category="spam").case
    world.add("case", "open", Target(alice, open_case))
    world.add("appeal", "pending", Target(alice, appeal))
    world.add("sanction", "hide_appealed", Target(alice, hide_sanction))
    world.add("sanction", "suspension", Target(sam, suspension))
    figure = public_figures.public_figure_create(by=mod, name="A. Famous Person", photos=[_face_photo()])
    world.add("registry", "figure", Target(alice, figure))  # nobody's: the owner column is an ordinary adult

    # The account's own things.
    key = api_key_create(owner=alice, name="deploy key of alice")[0]
    world.add("api_key", "active", Target(alice, key, marker=key.name))
    endpoint = webhook_endpoint_create(owner=alice, url="http://127.0.0.1:9/alice-endpoint")
    world.add("webhook", "active", Target(alice, endpoint, marker=endpoint.url))
    world.add("notification", "unread", Target(alice, None, marker="bob commented"))
    world.add("account", "-", Target(alice, alice))
    return world
