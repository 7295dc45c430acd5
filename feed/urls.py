from django.contrib.auth import views as auth_views
from django.urls import path

from feed import pages
from feed.accounts import views as account_views
from feed.graph import views as graph_views
from feed.posts import views as post_views

urlpatterns = [
    path("", pages.home, name="home"),
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
    path("p/<int:post_id>/report/", post_views.post_report, name="post_report"),
    path("@<str:handle>/", pages.profile, name="profile"),
    path("@<str:handle>/follow/", graph_views.follow_toggle, name="follow_toggle"),
    path("@<str:handle>/block/", graph_views.block_toggle, name="block_toggle"),
]
