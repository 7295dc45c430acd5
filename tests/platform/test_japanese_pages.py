"""Every word a Japanese reader sees is Japanese: the main pages rendered with a Japanese browser carry no
Latin word outside names, handles, brands and code samples. Text that never went through the catalogs
(a hard-coded English string, a raw code such as "left", a label without gettext, a stored English
sentence) fails here. tests/browser/test_japanese_walk.py walks the same pages in Chromium at 390 px."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from feed.graph.services import follow_create
from feed.models import User
from moderation.cases import case_act
from moderation.reports import report_create
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make

JA = {"HTTP_ACCEPT_LANGUAGE": "ja-JP,ja;q=0.9"}
# Brands, formats and technical names a Japanese interface writes in Latin letters too.
ALLOWED = {
    "openreel", "c2pa", "jpeg", "jpg", "png", "webp", "gif", "mp4", "webm", "mb", "https", "http", "api",
    "url", "id", "ok", "json", "sora", "pro", "openai", "hz", "cpu", "gpu",
    "english",  # the language menu names each language in itself
    "rec",  # the recording light of every camera
}  # fmt: skip
# Names developers read in Latin letters on the developer pages (a spec, an HTTP method, the API's name).
DEVELOPER_TERMS = frozenset({"videos", "webhook", "webhooks", "standard", "post"})
# Names of the personas (display names are people's own words, shown as typed).
NAMES = {"alice", "liddell", "bob", "charlie", "moderator", "tess"}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp", "template"}
READ_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}
LATIN_WORD = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9'’]*")


class VisibleText(HTMLParser):
    """The text a reader sees or hears: element text (not scripts, styles or code samples) and the
    attributes a screen reader or a field shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        self.parts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]
        if tag == "input" and dict(attrs).get("type") in {"submit", "button"}:
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def latin_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = re.sub(r"@\w+|\w*_\w*", " ", text)  # handles, and examples of one
    text = re.sub(r"\b[A-Z][a-z]+/[\w/+-]+", " ", text)  # time-zone names (Asia/Tokyo), shown as their IDs
    text = re.sub(r"https?://\S+|/[\w./-]+", " ", text)  # addresses
    words = {word.strip("'’").lstrip("0123456789") for word in LATIN_WORD.findall(text)}  # 2MB: a unit
    return {word for word in words if word.lower() not in ALLOWED | NAMES and sum(c.isalpha() for c in word) > 1}


def english_on(client: Client, path: str, *, allowed: frozenset[str] = frozenset()) -> set[str]:
    response = client.get(path, **JA)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Language"] == "ja"
    return {word for word in latin_words(response.content.decode()) if word.lower() not in allowed}


def test_the_scanner_finds_english_and_lets_names_and_brands_through() -> None:
    page = (
        '<p title="Close">閉じる @alice OpenReel <code>curl https://x/v1</code> Alice Liddell</p>'
        "<script>var left = 1;</script><button>Keep post</button>"
        "<p>顔をleftに向け rex_the_corgi C2PA 180 Hz 2MB sora-2-pro</p>"
    )
    assert latin_words(page) == {"Close", "Keep", "post", "left"}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/create/",
        "/drafts/",
        "/cameos/",
        "/cameos/consent/",
        "/cameos/new-character/",
        "/@alice/",
        "/@alice/followers/",
        "/@alice/following/",
        "/feed/page/",
        "/settings/profile/",
        "/verify/",
        "/public-figures/request/",
        "/cameos/record/",
        "/saved/",
        "/search/?q=凧",
        "/tags/凧/",
    ],
)
def test_a_page_in_japanese_has_no_english(path: str, alice: User, bob: User) -> None:
    alice.bio = "小さな映画を作っています。"  # people's own words are shown as they wrote them
    alice.save(update_fields=["bio"])
    post_make(alice, "砂丘の上の凧")
    client = Client()
    client.force_login(alice)
    assert english_on(client, path) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/signup/", "/login/", "/cameos/consent/", "/verify/"])
def test_a_page_for_people_not_signed_in_has_no_english(path: str) -> None:
    assert english_on(Client(), path) == set()


def test_a_post_the_inbox_and_the_developer_pages_in_japanese_have_no_english(
    alice: User, bob: User, mod: User
) -> None:
    alice.language = "ja"  # notifications are written in the recipient's language
    alice.save(update_fields=["language"])
    post = post_make(alice, "砂丘の上の凧")
    follow_create(follower=bob, followee=alice)
    client = Client()
    client.force_login(alice)
    assert english_on(client, f"/p/{post.pk}/") == set()
    assert english_on(client, "/inbox/") == set()
    for page in ("/settings/api-keys/", "/settings/webhooks/"):
        assert english_on(client, page, allowed=DEVELOPER_TERMS) == set()
    moderator = Client()
    moderator.force_login(mod)
    assert english_on(moderator, "/moderation/public-figures/") == set()


def test_the_cameo_page_in_japanese_has_no_english(alice: User, bob: User) -> None:
    cameo = active_cameo(alice)
    client = Client()
    client.force_login(alice)
    assert english_on(client, f"/cameos/@{cameo.handle}/") == set()


def test_what_was_stored_in_english_reads_in_japanese(alice: User, bob: User, charlie: User, mod: User) -> None:
    """The inbox of someone on the default language setting (their browser's, recorded at sign-up), a
    taken-down post with its stored reason, and the moderation queue and a case page (summaries, event
    rows, the decision buttons)."""
    assert alice.language == ""  # the default: the browser's language
    alice.browser_language = "ja"
    alice.save(update_fields=["browser_language"])
    post = post_make(alice, "砂丘の上の凧")
    follow_create(follower=bob, followee=alice)
    case = report_create(reporter=charlie, subject_type="post", subject_id=str(post.pk), category="spam").case
    moderator = Client()
    moderator.force_login(mod)
    assert english_on(moderator, "/moderation/") == set()
    assert english_on(moderator, f"/moderation/case/{case.pk}/") == set()
    case_act(case_id=case.pk, by=mod, action="take_down", reason="スパムの宣伝")
    client = Client()
    client.force_login(alice)
    assert english_on(client, "/inbox/") == set()
    assert english_on(client, f"/p/{post.pk}/") == set()
