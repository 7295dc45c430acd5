"""Numbers read from query strings, forms and JSON: one parser (`sora_site.fields`), finite and in range.

First the parser, then every door that reads a number by hand, each with the inputs that used to end
in a 500 ("²" passes `isdigit()`, JSON's Infinity, NaN, integers past a column) or that slipped through
(`int("١٢")` is 12).
"""

from __future__ import annotations

import json
import math

import pytest
from django.test import Client
from django.urls import reverse

from feed.engagement.models import Comment, Impression
from feed.models import Post, User
from feed.ranking.models import FeedPreferences
from generation.models import ApiKey, GenerationJob
from moderation.models import ModerationCase, Report, Sanction
from moderation.reports import report_create
from sora_site.errors import DomainError
from sora_site.fields import float_field, int_field
from tests.builders.posts import post_make
from tests.generation.api.clients import key_for

NOT_ASCII_DIGITS = ["²", "١٢", "１２", "⑦", "1_000"]


class TestIntField:
    @pytest.mark.parametrize(
        ("value", "expected"), [("12", 12), (" 7 ", 7), ("+5", 5), ("007", 7), (3, 3), (4.0, 4), ("-2", -2)]
    )
    def test_accepts_whole_numbers(self, value: object, expected: int) -> None:
        assert int_field(value, name="n", minimum=-10, maximum=20) == expected

    @pytest.mark.parametrize(
        "value",
        [*NOT_ASCII_DIGITS, "12abc", "1.5", "1e3", 1.5, True, math.inf, -math.inf, math.nan, "9" * 5000, [], {}, "x"],
    )
    def test_refuses_what_is_not_a_whole_number(self, value: object) -> None:
        with pytest.raises(DomainError) as refused:
            int_field(value, name="count", minimum=0, maximum=10**6)
        assert (refused.value.code, refused.value.field, refused.value.status) == ("invalid_value", "count", 400)
        assert refused.value.message == "Enter a whole number from 0 to 1,000,000."

    @pytest.mark.parametrize("value", [0, "21", 99999999999, 2**63])
    def test_refuses_out_of_range(self, value: object) -> None:
        with pytest.raises(DomainError):
            int_field(value, name="n", minimum=1, maximum=20)

    def test_blank_gives_the_default_and_required_refuses_it(self) -> None:
        for blank in (None, "", "  "):
            assert int_field(blank, name="n", minimum=1, maximum=5, default=None) is None
            assert int_field(blank, name="n", minimum=1, maximum=5, default=3) == 3
            with pytest.raises(DomainError):
                int_field(blank, name="n", minimum=1, maximum=5)

    def test_the_caller_names_the_code(self) -> None:
        with pytest.raises(DomainError) as refused:
            int_field("²", name="days", minimum=1, maximum=365, code="moderation_bad_days")
        assert refused.value.code == "moderation_bad_days"


class TestFloatField:
    @pytest.mark.parametrize(("value", "expected"), [("2.5", 2.5), (".5", 0.5), ("1e2", 100.0), (3, 3.0), (0.25, 0.25)])
    def test_accepts_finite_numbers(self, value: object, expected: float) -> None:
        assert float_field(value, name="t", minimum=0.0, maximum=1000.0) == expected

    @pytest.mark.parametrize(
        "value",
        ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", math.nan, math.inf, -math.inf, 10**400]
        + [*NOT_ASCII_DIGITS, "١.٥", "2.5s", True, None, ""],
    )
    def test_refuses_non_finite_and_non_numbers(self, value: object) -> None:
        with pytest.raises(DomainError) as refused:
            float_field(value, name="start_s", minimum=0.0, maximum=3600.0)
        assert (refused.value.field, refused.value.message) == ("start_s", "Enter a number from 0 to 3,600.")

    def test_refuses_out_of_range(self) -> None:
        with pytest.raises(DomainError):
            float_field("-0.5", name="t", minimum=0.0, maximum=10.0)
        assert float_field("", name="t", minimum=0.0, maximum=10.0, default=None) is None


# --- the doors ----------------------------------------------------------------------------------------


@pytest.fixture
def post(alice: User) -> Post:
    return post_make(alice, "a kite over the dunes")


@pytest.mark.parametrize("parent", [*NOT_ASCII_DIGITS, "99999999999999999999999", "-1"])
def test_comment_parent(client: Client, bob: User, post: Post, parent: str) -> None:
    client.force_login(bob)
    response = client.post(reverse("comment_create", args=[post.pk]), {"text": "nice", "parent": parent})
    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.mark.parametrize("daily_cap", ["99999999999", "²", "١٢", "0", "121"])
def test_wellbeing_limits(client: Client, bob: User, daily_cap: str) -> None:
    client.force_login(bob)
    response = client.post(reverse("feed_limits"), {"limits_on": "on", "daily_cap": daily_cap}, follow=True)
    assert response.status_code == 200
    assert "Enter a whole number from 1 to 120." in response.content.decode()
    assert not FeedPreferences.objects.filter(user=bob, limits_on=True).exists()  # nothing saved


def test_wellbeing_limits_are_saved(client: Client, bob: User) -> None:
    client.force_login(bob)
    client.post(reverse("feed_limits"), {"limits_on": "on", "daily_cap": "40", "break_after": ""})
    prefs = FeedPreferences.objects.get(user=bob)
    assert (prefs.limits_on, prefs.daily_cap, prefs.break_after) == (True, 40, None)


def beacon(client: Client, *views: dict[str, object]) -> tuple[int, bytes]:
    # Python's json writes NaN and Infinity as JavaScript does; json.loads reads them back as floats.
    response = client.post(reverse("feed_impressions"), {"views": json.dumps(list(views))})
    return response.status_code, response.content


@pytest.mark.parametrize(
    "view",
    [
        {"ms": math.inf},
        {"ms": -math.inf},
        {"ms": math.nan},
        {"ms": 1e300},
        {"replays": math.inf},
        {"replays": "²"},
        {"post": "²"},
        {"post": 10**30},
        {"post": True},
    ],
)
def test_impressions_beacon(client: Client, bob: User, post: Post, view: dict[str, object]) -> None:
    client.force_login(bob)
    status, _ = beacon(client, {"post": post.pk, "view": "v1", "ms": 1500, "replays": 0} | view)
    assert status == 400
    assert not Impression.objects.exists()


def test_impressions_beacon_records_a_good_view(client: Client, bob: User, post: Post) -> None:
    client.force_login(bob)
    assert beacon(client, {"post": post.pk, "view": "v1", "ms": 20 * 60 * 1000, "replays": 70}) == (
        200,
        b'{"recorded": 1}',
    )
    assert Impression.objects.values_list("watch_ms", "replays").get() == (10 * 60 * 1000, 50)  # clamped


@pytest.mark.parametrize(("start_s", "end_s"), [("nan", ""), ("inf", ""), ("-1e400", "2"), ("1", "inf"), ("²", "")])
def test_report_time_range(client: Client, bob: User, post: Post, start_s: str, end_s: str) -> None:
    client.force_login(bob)
    fields = {"category": "hate", "start_s": start_s, "end_s": end_s}
    response = client.post(reverse("post_report", args=[post.pk]), fields)
    assert response.status_code == 400
    assert "Enter a number from 0 to 3,600." in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -1.0])
def test_report_service_refuses_non_finite_times(bob: User, post: Post, seconds: float) -> None:
    with pytest.raises(DomainError) as refused:
        report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="hate", start_s=seconds)
    assert (refused.value.code, refused.value.field) == ("report_bad_range", "start_s")
    assert not Report.objects.exists()


@pytest.mark.parametrize("days", ["²", "١٢", "99999999999"])
def test_api_key_expiry(client: Client, alice: User, days: str) -> None:
    client.force_login(alice)
    response = client.post(reverse("api_keys"), {"name": "ci", "expires_in_days": days})
    assert response.status_code == 400
    assert "Enter a whole number from 1 to 3,650." in response.content.decode()
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("days", ["²", "١٢", "99999999999"])
def test_moderator_suspension_days(client: Client, mod: User, bob: User, post: Post, days: str) -> None:
    case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="hate").case
    client.force_login(mod)
    fields = {"action": "suspend", "reason": "spam", "days": days}
    response = client.post(reverse("moderation_case_act", args=[case.pk]), fields)
    assert response.status_code == 400
    assert "Enter a whole number from 1 to 365." in response.content.decode()
    assert not Sanction.objects.exists()
    assert ModerationCase.objects.get(pk=case.pk).status != "closed"


@pytest.mark.parametrize("seconds", ["١٢", "８", "²"])
def test_create_page_seconds(client: Client, alice: User, seconds: str) -> None:
    client.force_login(alice)
    fields = {"prompt": "a red kite", "mode": "single", "seconds": seconds, "size": "720x1280", "model": "sora-2"}
    response = client.post(reverse("create"), fields)
    assert response.status_code == 400
    assert "Duration must be one of 4, 8, 12 seconds." in response.content.decode()
    assert not GenerationJob.objects.exists()


def test_create_page_storyboard_shot_seconds(client: Client, alice: User) -> None:
    client.force_login(alice)
    fields = {"mode": "storyboard", "shot_prompt": ["a kite", "a dune"], "shot_seconds": ["4", "١٢"]}
    response = client.post(reverse("create"), fields | {"size": "720x1280", "model": "sora-2"})
    assert response.status_code == 400
    assert "Shot 2 must last 1 to 12 seconds." in response.content.decode()
    assert not GenerationJob.objects.exists()


@pytest.mark.parametrize("index", ["²", "١"])
def test_v1_multipart_list_index(client: Client, alice: User, index: str) -> None:
    response = client.post(
        "/v1/videos",
        {"prompt": "a red kite", f"characters[{index}][id]": "char_alice"},
        headers={"Authorization": f"Bearer {key_for(alice)}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_value"
    assert not GenerationJob.objects.exists()


@pytest.mark.parametrize("seconds", ["١٢", "８"])
def test_v1_seconds(client: Client, alice: User, seconds: str) -> None:
    response = client.post(
        "/v1/videos",
        {"prompt": "a red kite", "seconds": seconds},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key_for(alice)}"},
    )
    assert (response.status_code, response.json()["error"]["param"]) == (400, "seconds")
    assert not GenerationJob.objects.exists()
