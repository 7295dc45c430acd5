"""Every door of the server, web and /v1, mapped to the kind of object it acts on, how to knock on it and
which rule of `policy.py` decides the answer. `test_every_door_is_in_the_matrix` holds this list to the
URLconf and the OpenAPI document: a new URL pattern or /v1 operation must be added here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from tests.platform.authorization import policy as p
from tests.platform.authorization.world import PROMPT, Target, World

API_NAMESPACE = "v1"  # its operations are checked against /v1/openapi.json instead
NAMESPACE_DOORS = {"admin": "admin:index"}  # Django's admin: one staff check guards every page of it
MISSING_ID = 2**31 - 1


@dataclass(frozen=True)
class Outcome:
    status: int
    granted: bool


Send = Callable[[Client, World, Target], Outcome]


@dataclass(frozen=True)
class Door:
    name: str  # the URL name, or "METHOD /v1/path" as the OpenAPI document spells the operation
    kind: str  # the kind of object (a key of World.targets)
    states: tuple[str, ...]
    rule: Callable[[p.Persona, str], p.Rule]
    send: Send
    api: bool = False
    what: str = ""  # which of several checks at one door
    erases_files: bool = False  # deleting removes files a savepoint cannot bring back: run after the rest

    @property
    def label(self) -> str:
        return f"{self.name} ({self.what})" if self.what else self.name


def _finish(response: HttpResponseBase) -> None:
    """Read a file response to its end: the test client closes it then (closing it here would also fire
    request_finished, whose connection cleanup closes the connection inside the test's transaction)."""
    if response.streaming:
        b"".join(response.streaming_content)  # type: ignore[attr-defined]


def answered(response: HttpResponseBase) -> Outcome:
    """Granted: a 2xx, or a redirect that is not to the log-in page."""
    status = response.status_code
    # The site's log-in page, or the admin's own.
    to_login = status in (301, 302) and urlsplit(response.get("Location", "")).path.endswith("/login/")
    _finish(response)
    return Outcome(status, 200 <= status < 400 and not to_login)


def listed(url: Callable[[Target], str], marker: Callable[[Target], str] = lambda t: t.marker) -> Send:
    """Granted: the page lists the object (its marker is in the body)."""

    def send(client: Client, world: World, target: Target) -> Outcome:
        assert marker(target), "a listed object needs a marker"
        status, body = world.page(client, url(target))
        return Outcome(status, status == 200 and marker(target) in body)

    return send


def get(url: Callable[[Target], str]) -> Send:
    return lambda client, world, target: answered(client.get(url(target)))


def post(url: Callable[[Target], str], data: Callable[[Target], dict[str, Any]] = lambda t: {}) -> Send:
    return lambda client, world, target: answered(client.post(url(target), data(target)))


def api_post(url: Callable[[Target], str], body: Callable[[Target], dict[str, Any]]) -> Send:
    return lambda client, world, target: answered(
        client.post(url(target), json.dumps(body(target)), content_type="application/json")
    )


def view_recorded(client: Client, world: World, target: Target) -> Outcome:
    """Recording a view is granted when the answer differs from the answer for a post that does not exist."""

    def send(post_id: int) -> HttpResponseBase:
        views = [{"post": post_id, "view": "matrix-view", "ms": 1500, "done": True}]
        return client.post(reverse("feed_impressions"), {"views": json.dumps(views)})

    missing, answer = send(MISSING_ID), send(target.of.pk)
    differs = (answer.status_code, answer.content) != (missing.status_code, missing.content)
    return Outcome(answer.status_code, differs)


def _url(name: str, *args: Callable[[Target], object]) -> Callable[[Target], str]:
    return lambda target: reverse(name, args=[arg(target) for arg in args])


def _pk(target: Target) -> object:
    return target.of.pk


def _public_id(target: Target) -> object:
    return target.of.public_id


def _stitch_form(target: Target) -> dict[str, Any]:
    """The drafts page's stitch form with the draft picked twice, its first second each time."""
    public_id = target.of.public_id
    return {"part": [public_id, public_id], f"start-{public_id}": "0", f"end-{public_id}": "1"}


def _post_job_id(target: Target) -> object:
    return target.of.job.public_id


def _handle(target: Target) -> object:
    return target.of.handle


def _username(target: Target) -> object:
    return target.of.username


def _owner_name(target: Target) -> object:
    return target.owner.username


def _remix_form(source: Callable[[Target], object]) -> Callable[[Target], dict[str, Any]]:
    return lambda target: {"remix": source(target), "prompt": PROMPT + " in the rain"}


def _api_remix(source: Callable[[Target], object]) -> Send:
    return api_post(lambda t: f"/v1/videos/{source(t)}/remix", lambda t: {"prompt": PROMPT + " in the rain"})


def _v1(path: str) -> Callable[[Target], str]:
    return lambda target: path.format(id=target.of.public_id)


ACCOUNT = ("-",)
POSTS = p.POST_STATES
REMIXABLE_POSTS = (*p.POST_STATES, "author_suspended", "author_banned")
JOBS = p.JOB_STATES
COMPLETED_JOBS = ("completed", "completed_owner_suspended", "completed_owner_banned")
RETRYABLE_JOBS = (
    "failed",
    "cancelled_remix_of_private",
    "cancelled_remix_of_taken_down",
    "failed_owner_suspended",
    "failed_owner_banned",
)
CAMEOS = p.CAMEO_STATES
PROFILES = p.PROFILE_STATES

DOORS: tuple[Door, ...] = (
    # --- the account and pages that act on no one else's object --------------------------------------
    Door("admin:index", "account", ACCOUNT, p.nobody, get(_url("admin:index"))),
    Door("set_language", "account", ACCOUNT, p.anyone, post(_url("set_language"), lambda t: {"language": "en"})),
    Door("javascript-catalog", "account", ACCOUNT, p.anyone, get(_url("javascript-catalog"))),
    Door("signup", "account", ACCOUNT, p.signed_out_pages, get(_url("signup"))),
    Door("login", "account", ACCOUNT, p.signed_out_pages, get(_url("login"))),
    Door("logout", "account", ACCOUNT, p.anyone, post(_url("logout"))),
    Door("home", "account", ACCOUNT, p.anyone, get(_url("home"))),
    Door("feed_page", "account", ACCOUNT, p.anyone, get(_url("feed_page"))),
    Door("verify", "account", ACCOUNT, p.anyone, get(_url("verify"))),
    Door("public_figure_request", "account", ACCOUNT, p.anyone, get(_url("public_figure_request"))),
    Door("healthz", "account", ACCOUNT, p.anyone, get(_url("healthz"))),
    Door("readyz", "account", ACCOUNT, p.anyone, get(_url("readyz"))),
    # Prometheus' page: only with METRICS_TOKEN or an allowed address, which the suite sets for no persona.
    Door("metrics", "account", ACCOUNT, p.nobody, get(_url("metrics"))),
    Door("search", "account", ACCOUNT, p.anyone, get(lambda t: reverse("search") + "?q=kite")),
    Door("search_suggest", "account", ACCOUNT, p.anyone, get(lambda t: reverse("search_suggest") + "?q=kit")),
    Door("hashtag", "account", ACCOUNT, p.anyone, get(_url("hashtag", lambda t: "kite"))),
    # A cameo nobody may find answers as a missing one (tests/feed/search covers who finds which).
    Door("cameo_videos", "account", ACCOUNT, p.nobody, get(_url("cameo_videos", lambda t: "no_such_cameo"))),
    Door("saved", "account", ACCOUNT, p.signed_in, get(_url("saved"))),
    Door(
        "collection_create", "account", ACCOUNT, p.signed_in, post(_url("collection_create"), lambda t: {"name": "M"})
    ),
    # Another person's collection answers as a missing one.
    Door("collection_delete", "account", ACCOUNT, p.nobody, post(_url("collection_delete", lambda t: MISSING_ID))),
    Door(
        "feed_steering", "account", ACCOUNT, p.signed_in, post(_url("feed_steering"), lambda t: {"text": "more kites"})
    ),
    Door(
        "feed_steering_remove",
        "account",
        ACCOUNT,
        p.signed_in,
        post(_url("feed_steering_remove"), lambda t: {"topic": "kites"}),
    ),
    Door(
        "feed_limits",
        "account",
        ACCOUNT,
        p.signed_in,
        post(_url("feed_limits"), lambda t: {"limits_on": "on", "daily_cap": "60", "break_after": "20"}),
    ),
    Door("profile_edit", "account", ACCOUNT, p.signed_in, get(_url("profile_edit"))),
    Door("inbox", "account", ACCOUNT, p.signed_in, get(_url("inbox"))),
    Door("create", "account", ACCOUNT, p.signed_in, get(_url("create")), what="page"),
    Door(
        "create",
        "account",
        ACCOUNT,
        p.signed_in_creating,
        post(_url("create"), lambda t: {"prompt": PROMPT}),
        what="new",
    ),
    Door("jobs", "account", ACCOUNT, p.signed_in, get(_url("jobs"))),
    Door("cameos", "account", ACCOUNT, p.signed_in, get(_url("cameos"))),
    Door("cameo_consent", "account", ACCOUNT, p.anyone, get(_url("cameo_consent"))),
    Door("cameo_record", "account", ACCOUNT, p.signed_in, get(_url("cameo_record"))),
    Door("cameo_upload", "account", ACCOUNT, p.signed_in_open, post(_url("cameo_upload"), lambda t: {"nonce": "x"})),
    Door("cameo_character_new", "account", ACCOUNT, p.signed_in, get(_url("cameo_character_new"))),
    Door("cameo_mentions", "account", ACCOUNT, p.signed_in, get(_url("cameo_mentions"))),
    Door("api_keys", "account", ACCOUNT, p.signed_in, get(_url("api_keys"))),
    Door("webhooks", "account", ACCOUNT, p.signed_in, get(_url("webhooks"))),
    Door("moderation_queue", "account", ACCOUNT, p.moderators_only, get(_url("moderation_queue"))),
    Door(
        "POST /v1/videos",
        "account",
        ACCOUNT,
        p.signed_in_creating,
        api_post(lambda t: "/v1/videos", lambda t: {"prompt": PROMPT, "seconds": "4"}),
        api=True,
    ),
    Door("GET /v1/videos", "account", ACCOUNT, p.signed_in, get(lambda t: "/v1/videos"), api=True),
    Door(
        "POST /v1/videos/characters",
        "account",
        ACCOUNT,
        p.signed_in_open,
        post(lambda t: "/v1/videos/characters", lambda t: {"name": "Kite"}),
        api=True,
    ),
    # --- posts ------------------------------------------------------------------------------------------
    Door("post_detail", "post", POSTS, p.post_read, get(_url("post_detail", _pk))),
    Door("post_comments", "post", POSTS, p.post_read, get(_url("post_comments", _pk))),
    Door("post_download", "post", POSTS, p.post_read, get(_url("post_download", _pk))),
    Door("media", "post", POSTS, p.post_read, get(lambda t: t.of.video.url), what="post video"),
    Door("media", "post", POSTS, p.post_read, get(lambda t: t.of.poster.url), what="post poster"),
    Door("media", "post", POSTS, p.post_read, get(lambda t: t.of.job.spritesheet.url), what="post spritesheet"),
    Door("profile", "post", POSTS, p.post_listed, listed(_url("profile", _owner_name)), what="profile grid"),
    Door("home", "post", POSTS, p.post_in_feed, listed(_url("home")), what="For You"),
    Door("feed_page", "post", POSTS, p.post_in_feed, listed(_url("feed_page")), what="next page"),
    Door("post_like", "post", POSTS, p.post_engage, post(_url("post_like", _pk), lambda t: {"liked": "1"})),
    Door("post_save", "post", POSTS, p.post_engage, post(_url("post_save", _pk), lambda t: {"saved": "1"})),
    Door("post_not_interested", "post", POSTS, p.post_engage, post(_url("post_not_interested", _pk))),
    Door("post_share", "post", POSTS, p.post_share, post(_url("post_share", _pk))),
    Door(
        "comment_create",
        "post",
        POSTS,
        p.post_comment,
        post(_url("comment_create", _pk), lambda t: {"text": "what a lovely kite"}),
    ),
    Door("post_report", "post", POSTS, p.post_report, post(_url("post_report", _pk), lambda t: {"category": "spam"})),
    Door("feed_impressions", "post", POSTS, p.post_view, view_recorded),
    Door(
        "post_edit",
        "post",
        p.OWN_POST_STATES,
        p.post_own_write,
        post(_url("post_edit", _pk), lambda t: {"caption": "a kite, edited", "visibility": t.of.visibility}),
    ),
    Door("post_delete", "post", POSTS, p.owner_only, post(_url("post_delete", _pk))),
    Door("post_analytics", "post", POSTS, p.owner_only, get(_url("post_analytics", _pk))),
    Door(
        "create", "post", REMIXABLE_POSTS, p.post_remix, post(_url("create"), _remix_form(_post_job_id)), what="remix"
    ),
    Door("POST /v1/videos/{video_id}/remix", "post", REMIXABLE_POSTS, p.post_remix, _api_remix(_post_job_id), api=True),
    # --- drafts and jobs --------------------------------------------------------------------------------
    Door("jobs", "job", JOBS, p.owner_only, listed(_url("jobs")), what="drafts list"),
    Door("job_card", "job", JOBS, p.owner_only, get(_url("job_card", _public_id))),
    Door("job_status", "job", JOBS, p.owner_only, get(_url("job_status", _public_id))),
    Door("job_cancel", "job", ("queued",), p.owner_only, post(_url("job_cancel", _public_id))),
    Door("job_retry", "job", RETRYABLE_JOBS, p.job_new_request, post(_url("job_retry", _public_id))),
    Door(
        "stitch", "job", COMPLETED_JOBS, p.job_new_request, post(_url("stitch"), _stitch_form), what="the draft twice"
    ),
    Door(
        "job_delete",
        "job",
        ("completed", "failed"),
        p.owner_only,
        post(_url("job_delete", _public_id)),
        erases_files=True,
    ),
    Door(
        "draft_publish",
        "job",
        COMPLETED_JOBS,
        p.job_new_request,
        post(_url("draft_publish", _public_id), lambda t: {"caption": "", "visibility": "public"}),
    ),
    Door("media", "job", ("completed",), p.owner_only, get(lambda t: t.of.video.url), what="draft video"),
    Door("media", "job", ("completed",), p.owner_only, get(lambda t: t.of.poster.url), what="draft poster"),
    Door(
        "create",
        "job",
        COMPLETED_JOBS,
        p.job_new_request,
        post(_url("create"), _remix_form(_public_id)),
        what="remix draft",
    ),
    Door("GET /v1/videos", "job", JOBS, p.owner_only, listed(lambda t: "/v1/videos?limit=100"), api=True),
    Door("GET /v1/videos/{video_id}", "job", JOBS, p.owner_only, get(_v1("/v1/videos/{id}")), api=True),
    Door(
        "GET /v1/videos/{video_id}/content",
        "job",
        ("completed",),
        p.owner_only,
        get(_v1("/v1/videos/{id}/content")),
        api=True,
    ),
    Door(
        "DELETE /v1/videos/{video_id}",
        "job",
        ("completed", "failed"),
        p.owner_only,
        lambda c, w, t: answered(c.delete(f"/v1/videos/{t.of.public_id}")),
        api=True,
        erases_files=True,
    ),
    Door(
        "POST /v1/videos/edits",
        "job",
        COMPLETED_JOBS,
        p.job_new_request,
        api_post(
            lambda t: "/v1/videos/edits", lambda t: {"prompt": PROMPT + " at dusk", "video": {"id": t.of.public_id}}
        ),
        api=True,
    ),
    Door(
        "POST /v1/videos/extensions",
        "job",
        COMPLETED_JOBS,
        p.job_new_request,
        api_post(
            lambda t: "/v1/videos/extensions",
            lambda t: {"prompt": "the boat sails on", "seconds": "4", "video": {"id": t.of.public_id}},
        ),
        api=True,
    ),
    Door(
        "POST /v1/videos/{video_id}/remix", "job", COMPLETED_JOBS, p.job_new_request, _api_remix(_public_id), api=True
    ),
    # --- comments -----------------------------------------------------------------------------------------
    Door(
        "post_comments",
        "comment",
        p.COMMENT_STATES,
        p.comment_read,
        listed(lambda t: reverse("post_comments", args=[t.of.post_id])),
    ),
    Door("comment_delete", "comment", p.COMMENT_STATES, p.owner_only, post(_url("comment_delete", _pk))),
    Door(
        "comment_report",
        "comment",
        p.COMMENT_STATES,
        p.comment_report,
        post(_url("comment_report", _pk), lambda t: {"category": "spam"}),
    ),
    # --- cameos -------------------------------------------------------------------------------------------
    Door("cameo_detail", "cameo", CAMEOS, p.cameo_page, get(_url("cameo_detail", _handle))),
    Door("cameo_status", "cameo", CAMEOS, p.owner_only, get(_url("cameo_status", _handle))),
    Door("cameo_analytics", "cameo", CAMEOS, p.owner_only, get(_url("cameo_analytics", _handle))),
    Door(
        "cameo_portrait",
        "cameo",
        ("approved",),
        p.cameo_portrait,
        get(lambda t: reverse("cameo_portrait", args=[t.of.handle, t.of.portraits.get().pk])),
    ),
    Door(
        "cameo_settings",
        "cameo",
        ("approved",),
        p.owner_only,
        post(_url("cameo_settings", _handle), lambda t: {"access": "everyone", "preferences": "", "restrictions": ""}),
    ),
    Door(
        "cameo_pause",
        "cameo",
        ("approved",),
        p.owner_only,
        post(_url("cameo_pause", _handle), lambda t: {"paused": "1"}),
    ),
    Door(
        "cameo_voice_sample_stop",
        "cameo",
        ("approved",),
        p.owner_only,
        post(_url("cameo_voice_sample_stop", _handle)),
    ),
    Door(
        "cameo_access",
        "cameo",
        ("approved",),
        p.owner_only,
        post(lambda t: reverse("cameo_access", args=[t.of.handle, "bob", "approve"])),
    ),
    Door(
        "cameo_usage_remove",
        "cameo",
        ("everyone",),
        p.owner_only,
        post(lambda t: reverse("cameo_usage_remove", args=[t.of.handle, t.extra])),
    ),
    Door(
        "cameo_usage_report",
        "cameo",
        ("everyone",),
        p.owner_only,
        post(lambda t: reverse("cameo_usage_report", args=[t.of.handle, t.extra]), lambda t: {"note": "not me"}),
    ),
    Door(
        "cameo_delete",
        "cameo",
        ("approved",),
        p.owner_only,
        post(_url("cameo_delete", _handle), lambda t: {"confirm": t.of.handle}),
        erases_files=True,
    ),
    Door("cameo_request_access", "cameo", CAMEOS, p.cameo_request, post(_url("cameo_request_access", _handle))),
    Door(
        "create",
        "cameo",
        CAMEOS,
        p.cameo_use,
        post(_url("create"), lambda t: {"prompt": f"@{t.of.handle} waves from a paper boat"}),
        what="@mention",
    ),
    Door(
        "create",
        "cameo",
        ("rules",),
        p.cameo_use_against_rules,
        post(_url("create"), lambda t: {"prompt": f"@{t.of.handle} campaigns for president at a rally"}),
        what="@mention against the owner's rules",
    ),
    Door(
        "cameo_mentions",
        "cameo",
        CAMEOS,
        p.cameo_usable_listed,
        listed(lambda t: reverse("cameo_mentions") + f"?q={t.of.handle}", lambda t: f'"handle": "{t.of.handle}"'),
        what="@ autocomplete",
    ),
    Door(
        "GET /v1/videos/characters/{character_id}",
        "cameo",
        CAMEOS,
        p.cameo_usable_listed,
        get(lambda t: f"/v1/videos/characters/char_{t.of.handle}"),
        api=True,
    ),
    Door("cameo_character_new", "account", ACCOUNT, p.signed_in_open, post(_url("cameo_character_new")), what="new"),
    # --- profiles -----------------------------------------------------------------------------------------
    Door("profile", "profile", PROFILES, p.profile_read, listed(_url("profile", _username))),
    Door(
        "followers",
        "profile",
        PROFILES,
        p.profile_read,
        listed(_url("followers", _username), lambda t: 'href="/@bob/"'),
    ),
    Door(
        "following",
        "profile",
        PROFILES,
        p.profile_read,
        listed(_url("following", _username), lambda t: 'href="/@bob/"'),
    ),
    Door("follow_toggle", "profile", PROFILES, p.profile_follow, post(_url("follow_toggle", _username))),
    Door("block_toggle", "profile", PROFILES, p.profile_block, post(_url("block_toggle", _username))),
    Door(
        "profile_report",
        "profile",
        PROFILES,
        p.profile_report,
        post(_url("profile_report", _username), lambda t: {"category": "spam"}),
    ),
    # --- moderation and appeals ---------------------------------------------------------------------------
    Door("moderation_case", "case", ("open",), p.moderators_only, get(_url("moderation_case", _pk))),
    Door(
        "moderation_case_act",
        "case",
        ("open",),
        p.moderators_only,
        post(_url("moderation_case_act", _pk), lambda t: {"action": "note", "reason": "looked at it"}),
    ),
    Door(
        "moderation_appeal_decide",
        "appeal",
        ("pending",),
        p.moderators_only,
        post(_url("moderation_appeal_decide", _pk), lambda t: {"decision": "deny", "reason": "stands"}),
    ),
    Door(
        "moderation_appeal",
        "sanction",
        ("hide_appealed", "suspension"),
        p.appeal_page,
        get(_url("moderation_appeal", _pk)),
    ),
    Door(
        "moderation_appeal",
        "sanction",
        ("suspension",),
        p.owner_only,
        post(_url("moderation_appeal", _pk), lambda t: {"text": "I did nothing wrong."}),
        what="appeal",
    ),
    Door("public_figures", "registry", ("figure",), p.moderators_only, get(_url("public_figures"))),
    Door(
        "public_figure_remove",
        "registry",
        ("figure",),
        p.moderators_only,
        post(_url("public_figure_remove", _pk)),
        erases_files=True,
    ),
    # --- keys, webhooks, notifications -------------------------------------------------------------------
    Door("api_keys", "api_key", ("active",), p.owner_only, listed(_url("api_keys")), what="listed"),
    Door("api_key_revoke", "api_key", ("active",), p.owner_only, post(_url("api_key_revoke", _public_id))),
    Door("webhooks", "webhook", ("active",), p.owner_only, listed(_url("webhooks")), what="listed"),
    Door("webhook_delete", "webhook", ("active",), p.owner_only, post(_url("webhook_delete", _public_id))),
    Door("webhook_test", "webhook", ("active",), p.owner_only_or_own, post(_url("webhook_test"))),
    Door("inbox", "notification", ("unread",), p.owner_only, listed(_url("inbox")), what="listed"),
)
