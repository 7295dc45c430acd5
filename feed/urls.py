from django.contrib.auth import views as auth_views
from django.urls import path

from feed import pages
from feed.accounts import views as account_views
from feed.analytics import views as analytics_views
from feed.engagement import views as engagement_views
from feed.graph import views as graph_views
from feed.posts import views as post_views
from feed.ranking import views as ranking_views
from feed.search import views as search_views
from feed.verify import views as verify_views

urlpatterns = [
    path("", pages.home, name="home"),
    path("feed/page/", pages.feed_page, name="feed_page"),
    path("feed/steering/", ranking_views.steering, name="feed_steering"),
    path("feed/steering/remove/", ranking_views.steering_remove, name="feed_steering_remove"),
    path("feed/limits/", ranking_views.limits, name="feed_limits"),
    path("signup/", account_views.sign_up, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="feed/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/profile/", account_views.profile_edit, name="profile_edit"),
    path("drafts/<str:public_id>/post/", post_views.draft_publish, name="draft_publish"),
    path("p/<int:post_id>/", post_views.post_detail, name="post_detail"),
    path("verify/", verify_views.verify, name="verify"),
    path("p/<int:post_id>/analytics/", analytics_views.post_analytics, name="post_analytics"),
    path("p/<int:post_id>/edit/", post_views.post_edit, name="post_edit"),
    path("p/<int:post_id>/delete/", post_views.post_delete, name="post_delete"),
    path("p/<int:post_id>/like/", engagement_views.like, name="post_like"),
    path("p/<int:post_id>/comments/", engagement_views.comments, name="post_comments"),
    path("p/<int:post_id>/comments/new/", engagement_views.comment_create, name="comment_create"),
    path("comments/<int:comment_id>/delete/", engagement_views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/report/", engagement_views.comment_report, name="comment_report"),
    path("p/<int:post_id>/not-interested/", engagement_views.not_interested, name="post_not_interested"),
    path("p/<int:post_id>/share/", engagement_views.share, name="post_share"),
    path("p/<int:post_id>/download/", engagement_views.download, name="post_download"),
    path("p/<int:post_id>/save/", engagement_views.save, name="post_save"),
    path("saved/", engagement_views.saved, name="saved"),
    path("saved/collections/new/", engagement_views.collection_create, name="collection_create"),
    path("saved/collections/<int:collection_id>/delete/", engagement_views.collection_delete, name="collection_delete"),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search_suggest"),
    path("tags/<str:name>/", search_views.tag, name="hashtag"),
    path("cameos/@<str:handle>/videos/", search_views.cameo_videos, name="cameo_videos"),
    path("cameos/@<str:handle>/analytics/", analytics_views.cameo_analytics, name="cameo_analytics"),
    path("feed/views/", engagement_views.impressions, name="feed_impressions"),
    path("inbox/", engagement_views.inbox, name="inbox"),
    path("p/<int:post_id>/report/", post_views.post_report, name="post_report"),
    path("@<str:handle>/", pages.profile, name="profile"),
    path("@<str:handle>/followers/", pages.people, {"which": "followers"}, name="followers"),
    path("@<str:handle>/following/", pages.people, {"which": "following"}, name="following"),
    path("@<str:handle>/follow/", graph_views.follow_toggle, name="follow_toggle"),
    path("@<str:handle>/block/", graph_views.block_toggle, name="block_toggle"),
    path("@<str:handle>/report/", pages.profile_report, name="profile_report"),
]
