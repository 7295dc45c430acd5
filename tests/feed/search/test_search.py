"""Search: people, posts, hashtags and cameos in English and Japanese, ranked, and never past a
visibility rule (blocks, take-downs, private posts, hidden prompts, teens)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from feed.graph.services import block_create
from feed.models import Post, User
from feed.posts.services import post_take_down
from feed.search import selectors as search_selectors
from feed.search.models import PostSearch, PostTag
from feed.search.selectors import cameos_search, hashtags_search, people_search, posts_search, posts_with_cameo
from feed.search.text import search_terms, tsquery
from moderation.reports import report_create
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make
from tests.conftest import make_user, years_ago


def test_terms_split_japanese_and_fold_width_and_kana() -> None:
    assert search_terms("夕暮れの海辺で犬が走る") == ["夕暮れ", "海辺", "犬", "走る"]
    assert search_terms("ネコが好き") == search_terms("ねこが好き")
    assert search_terms("ＫＩＴＥ Flying_High!") == ["kite", "flying", "high"]
    assert tsquery("red kit", prefix=True) == "'red' & 'kit':*"
    assert tsquery("it's", prefix=False) == "'it' & 's'"
    assert tsquery("!!! ...", prefix=True) == ""


def test_posts_by_caption_prompt_and_tag_best_match_first(alice: User, bob: User) -> None:
    both = post_make(alice, "Kite festival #kites", prompt="a red kite over green hills")
    prompt_only = post_make(alice, "Windy day", prompt="a kite in a storm", hours_ago=1)
    hidden_prompt = post_make(alice, "Secret recipe", prompt="a kite made of pasta", show_prompt=False)
    post_make(alice, "Boats")
    found = posts_search(bob, "kite")
    assert found == [both, prompt_only]  # the caption's match weighs more; a hidden prompt is not searched
    assert hidden_prompt not in posts_search(bob, "pasta")
    assert posts_search(bob, "kit", prefix=True) == [both, prompt_only]  # typeahead: a word's start
    assert posts_search(bob, "kit") == []  # a whole search: whole words


def test_japanese_posts_and_people(alice: User, bob: User) -> None:
    sea = post_make(alice, "夕暮れの海辺で犬が走る", prompt="")
    cat = post_make(alice, "ネコが好き #猫")
    hanako = make_user("hanako", display_name="山田花子")
    assert posts_search(bob, "海辺") == [sea]
    assert posts_search(bob, "犬が走った") == [sea]  # base forms: 走った finds 走る
    assert posts_search(bob, "ねこ") == [cat]
    assert people_search(bob, "花子") == [hanako]
    assert [hit.name for hit in hashtags_search(bob, "#猫")] == ["猫"]


def test_posts_never_past_a_visibility_rule(alice: User, bob: User, charlie: User, teen: User) -> None:
    public = post_make(alice, "kite one")
    post_make(alice, "kite private", visibility=Post.Visibility.PRIVATE)
    post_make(alice, "kite unlisted", visibility=Post.Visibility.UNLISTED)
    post_make(alice, "kite in review", review=Post.Review.HELD)
    down = post_make(alice, "kite down")
    post_take_down(post=down, reason="rules")
    reported = post_make(alice, "kite reported")
    report_create(reporter=bob, subject_type="post", subject_id=str(reported.pk), category="spam")
    adult = post_make(alice, "kite adult", teen_suitable=False)
    by_charlie = post_make(charlie, "kite by charlie")
    block_create(blocker=charlie, blocked=bob)
    assert set(posts_search(bob, "kite")) == {public, adult}
    assert set(posts_search(teen, "kite")) == {public, reported, by_charlie}  # the report was bob's
    assert set(posts_search(None, "kite")) == {public, reported, adult, by_charlie}


def test_people_by_handle_and_name_not_past_blocks_hidden_profiles_or_teens(alice: User, bob: User, teen: User) -> None:
    kitty = make_user("kitty_k", display_name="Kitty Kat")
    kite_fan = make_user("windy", display_name="Kite Fan")
    assert people_search(bob, "kitty") == [kitty]
    assert set(people_search(bob, "kit", prefix=True)) == {kitty, kite_fan}
    assert people_search(bob, "kit", prefix=True)[0] == kitty  # the handle weighs more than a name
    block_create(blocker=kitty, blocked=bob)
    assert people_search(bob, "kitty") == []
    User.objects.filter(pk=kite_fan.pk).update(profile_hidden_at="2026-01-01T00:00Z")
    assert people_search(alice, "kite") == []
    other_teen = make_user("kiteteen", birth_date=years_ago(15))
    assert people_search(alice, "kiteteen") == [] and people_search(None, "kiteteen") == []
    assert people_search(teen, "kiteteen") == [other_teen]


def test_people_ranked_on_the_index_then_checked_and_equals_oldest_first(
    bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = make_user("windy1", display_name="Kite Fan")
    newer = make_user("windy2", display_name="Kite Lover")
    blocked = make_user("kite_b")  # the handle's match ranks first
    block_create(blocker=blocked, blocked=bob)
    assert people_search(bob, "kite", limit=2) == [older, newer]
    monkeypatch.setattr(search_selectors, "RANKED_PER_RESULT", 1)  # the best 2: the blocked one and `older`
    assert people_search(bob, "kite", limit=2) == [older]


def test_renaming_reindexes_and_reindex_command_covers_bulk_rows(alice: User, bob: User) -> None:
    alice.display_name = "Mizuki"
    alice.save()
    assert people_search(bob, "mizuki") == [alice]
    post = post_make(alice, "old caption", prompt="a kite")
    post.caption = "new caption"
    post.save()
    assert posts_search(bob, "new") == [post] and posts_search(bob, "old") == []
    bulk = Post.objects.bulk_create([Post(author=alice, video="posts/x.mp4", caption="bulk kite")])
    assert posts_search(bob, "bulk") == []
    call_command("search_reindex", stdout=open("/dev/null", "w"))
    assert posts_search(bob, "bulk") == bulk
    assert PostSearch.objects.count() == 2


def test_migrate_indexes_what_came_before_search(alice: User, bob: User) -> None:
    """An upgrade from before search: posts and people with no index row are indexed after `migrate`,
    those indexed already are left as they are."""
    indexed = post_make(alice, "a paper #kite over the dunes")
    old = Post.objects.bulk_create([Post(author=alice, video="posts/old.mp4", caption="an old #lantern")])[0]
    PostSearch.objects.filter(post=indexed).update(document="")  # what the index holds is not redone
    User.objects.filter(pk=bob.pk).update(display_name="Hoshino")
    bob.search.delete()
    assert posts_search(alice, "lantern") == [] and people_search(alice, "hoshino") == []
    call_command("migrate", verbosity=0)
    assert posts_search(alice, "lantern") == [old] and [p.pk for p in posts_search(alice, "#lantern")] == [old.pk]
    assert people_search(alice, "hoshino") == [bob]
    assert posts_search(alice, "dunes") == []


def test_hashtags_count_only_what_the_viewer_may_see(alice: User, bob: User) -> None:
    post_make(alice, "#kites and #kiteday")
    post_make(alice, "#kites again")
    post_make(alice, "#kitesecret", visibility=Post.Visibility.PRIVATE)
    hits = hashtags_search(bob, "kite")
    assert [(hit.name, hit.posts) for hit in hits] == [("kites", 2), ("kiteday", 1)]


def test_a_common_word_ranks_only_its_newest_matches(alice: User, bob: User, monkeypatch: pytest.MonkeyPatch) -> None:
    oldest_best = post_make(alice, "Kite day", hours_ago=3)  # in the caption: the better match
    newer = [post_make(alice, "Windy", prompt="a kite", hours_ago=hours) for hours in (2, 1)]
    assert posts_search(bob, "kite")[0] == oldest_best
    monkeypatch.setattr(search_selectors, "RANKED_MATCHES", 2)
    assert posts_search(bob, "kite") == [newer[1], newer[0]]


def test_a_common_tag_counts_up_to_a_cap_and_says_so(alice: User, bob: User, monkeypatch: pytest.MonkeyPatch) -> None:
    for hours in (4, 3, 2):
        post_make(alice, "#kites", hours_ago=hours)
    post_make(alice, "#kiteday #kites", hours_ago=1)
    post_make(alice, "#kiteday", visibility=Post.Visibility.PRIVATE)
    monkeypatch.setattr(search_selectors, "TAG_POSTS_COUNTED", 2)
    hits = hashtags_search(bob, "kite")
    assert [(hit.name, hit.posts, hit.at_least) for hit in hits] == [("kites", 2, True), ("kiteday", 1, False)]
    page = Client().get("/search/", {"q": "kite"}).content.decode()
    assert "#kites · 2+ videos" in page and "#kiteday · 1 video" in page


def test_tags_the_exact_one_first_then_the_most_used_and_only_with_a_visible_post(
    alice: User, bob: User, charlie: User
) -> None:
    post_make(alice, "#kite")
    for _ in range(3):
        post_make(alice, "#kiteday")
    post_make(alice, "#kites #kites")
    post_make(charlie, "#kitesecret")
    post_make(alice, "#kitehidden", visibility=Post.Visibility.PRIVATE)
    block_create(blocker=charlie, blocked=bob)
    assert [(hit.name, hit.posts) for hit in hashtags_search(bob, "kite")] == [
        ("kite", 1),
        ("kiteday", 3),
        ("kites", 1),
    ]
    assert [hit.name for hit in hashtags_search(bob, "kite", limit=2)] == ["kite", "kiteday"]
    # counted a batch of 3 at a time: kitehidden (1 post, private) in the first, so kites from the second
    assert [hit.name for hit in hashtags_search(bob, "kite", limit=3)] == ["kite", "kiteday", "kites"]
    assert [hit.name for hit in hashtags_search(alice, "kites")] == ["kites", "kitesecret"]


def test_a_tag_edited_out_of_a_caption_or_its_post_deleted_leaves_its_page(
    client: Client, alice: User, bob: User
) -> None:
    post = post_make(alice, "Kite day #kites #windy")
    other = post_make(alice, "Calm #windy")
    assert list(search_selectors.posts_tagged(bob, "kites")) == [post]
    post.caption = "Kite day #kiteday #windy"
    post.save()
    assert list(search_selectors.posts_tagged(bob, "kites")) == []
    assert list(search_selectors.posts_tagged(bob, "kiteday")) == [post]
    assert [(hit.name, hit.posts) for hit in hashtags_search(bob, "kite")] == [("kiteday", 1)]
    post.caption = "No tags now"
    post.save(update_fields=["caption"])
    assert hashtags_search(bob, "kite") == [] and b"Kite day" not in client.get("/tags/kiteday/").content
    assert list(search_selectors.posts_tagged(bob, "windy")) == [other]
    other.delete()
    assert list(search_selectors.posts_tagged(bob, "windy")) == [] and PostTag.objects.count() == 0


def test_cameos_by_handle_and_name_and_their_videos(alice: User, bob: User, charlie: User) -> None:
    cameo = active_cameo(alice)
    dog = active_cameo(bob, name="Rex the corgi")
    assert cameos_search(charlie, "ali") == [cameo]
    assert cameos_search(charlie, "corgi") == [dog] and cameos_search(charlie, "bo") == [dog]
    assert cameos_search(charlie, "orgi") == []
    block_create(blocker=alice, blocked=charlie)
    assert cameos_search(charlie, "alice") == []
    assert list(posts_with_cameo(bob, cameo)) == []


def test_the_pages(client: Client, alice: User) -> None:
    post_make(alice, "Kite day #kites")
    page = client.get("/search/", {"q": "kite"})
    assert page.status_code == 200 and b"Kite day" in page.content and b"#kites" in page.content
    assert b"Kite day" in client.get("/search/suggest/", {"q": "ki"}).content
    assert client.get("/search/suggest/", {"q": ""}).content.strip() == b""
    assert b"Kite day" in client.get("/tags/kites/").content
    assert client.get("/tags/%21%21/").status_code == 404
    assert client.get("/cameos/@nobody/videos/").status_code == 404
    assert client.get("/search/", {"q": "'\\&|!:*()"}).status_code == 200  # tsquery syntax is only text
