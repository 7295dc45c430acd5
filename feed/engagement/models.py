"""What people do with posts: likes, comments, views (impressions), "not interested", and the counters
(in all, and per day for the creator's analytics)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sora_site.texts import sentence_render


class PostStats(models.Model):
    """One row of counters per post, bumped with F() updates: the feed reads counts without COUNT(*)."""

    post = models.OneToOneField("feed.Post", primary_key=True, on_delete=models.CASCADE, related_name="stats")
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    remixes = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    not_interested = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"stats of post {self.post_id}"


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="like_once")]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class Comment(models.Model):
    """A comment, or a reply to one (one level: a reply's parent is always a top-level comment)."""

    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by a moderator (hidden in review, or removed): gone for everyone but its author, who sees why.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)  # English; rows from before sentences
    hidden_sentence = models.JSONField(default=dict, blank=True)  # the reason as code + parameters

    class Meta:
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on post {self.post_id}"

    @property
    def hidden_text(self) -> str:
        """Why it is hidden, in the active language."""
        return sentence_render(self.hidden_sentence, self.hidden_reason)


class Impression(models.Model):
    """One view of a post by a signed-in person: how long, whether it played to the end, replays.

    `view_id` comes from the browser (one per time a post scrolls into view), so a beacon sent twice
    updates the same row instead of counting the view twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="impressions")
    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="impressions")
    view_id = models.CharField(max_length=40)
    watch_ms = models.PositiveIntegerField(default=0)
    completed = models.BooleanField(default=False)
    replays = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "view_id"], name="impression_once")]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["user", "post"])]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.post_id}"


class DailyView(models.Model):
    """One person's views of someone else's post on one day (UTC), however many times it scrolled by:
    the views count once per viewer, post and day, and `watched` keeps how far they got (per mille)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    watched = models.PositiveSmallIntegerField(default=0)  # 0..1000 of the video
    completed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post", "day"], name="daily_view_once")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.post_id} on {self.day}"


class PostDay(models.Model):
    """A post's counters for one day (UTC), moved in the same transaction as `PostStats` (`stats_bump`):
    its creator's analytics read these rows, one per day with activity, never the event tables. The
    counts are net (an unlike lowers the day it happens on), so a post's days add up to its totals."""

    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    impressions = models.IntegerField(default=0)  # views: once per viewer and day, the creator's own left out
    completions = models.IntegerField(default=0)
    watched = models.IntegerField(default=0)  # the sum of each view's `DailyView.watched`
    likes = models.IntegerField(default=0)
    comments = models.IntegerField(default=0)
    shares = models.IntegerField(default=0)
    downloads = models.IntegerField(default=0)
    remixes = models.IntegerField(default=0)

    class Meta:
        # One row per post and day; the index answers "this post's (or these posts') days since D".
        constraints = [models.UniqueConstraint(fields=["post", "day"], name="post_day_once")]

    def __str__(self) -> str:
        return f"post {self.post_id} on {self.day}"


class NotInterested(models.Model):
    """ "Not interested" on a post: it never comes back, and its author and topic are damped."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="not_interested")
    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="not_interested_once")]

    def __str__(self) -> str:
        return f"{self.user_id} is not interested in {self.post_id}"


class Collection(models.Model):
    """A named list of saved posts, private to its owner (a saved post sits in one collection or none)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    name = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="collection_name_once")]

    def __str__(self) -> str:
        return f"collection {self.name!r} of {self.owner_id}"


class Bookmark(models.Model):
    """A post someone saved for later: only they see it (downloading the file is a separate action)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="+")
    # Deleting a collection keeps its posts saved, out of any collection.
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookmarks"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="bookmark_once")]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} saved {self.post_id}"
