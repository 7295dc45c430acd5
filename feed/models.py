"""Every model of the `feed` app, imported here so Django registers them.

The app spans two layers: accounts, graph and notifications sit below moderation, cameos and
generation; posts (and the pages) sit above them. Code in lower apps imports the lower packages
(`feed.accounts`, `feed.graph`, `feed.notifications`) directly, never this module.
"""

from feed.accounts.models import InviteCode, User
from feed.engagement.models import (
    Bookmark,
    Collection,
    Comment,
    DailyView,
    Impression,
    Like,
    NotInterested,
    PostDay,
    PostStats,
)
from feed.graph.models import Block, Follow
from feed.notifications.models import Notification
from feed.posts.models import Post
from feed.ranking.models import FeedPreferences, PostEmbedding
from feed.search.models import Hashtag, PersonSearch, PostSearch, PostTag

__all__ = [
    "Block",
    "Bookmark",
    "Collection",
    "Comment",
    "DailyView",
    "FeedPreferences",
    "Follow",
    "Hashtag",
    "Impression",
    "InviteCode",
    "Like",
    "NotInterested",
    "PersonSearch",
    "Notification",
    "Post",
    "PostEmbedding",
    "PostSearch",
    "PostTag",
    "PostDay",
    "PostStats",
    "User",
]
