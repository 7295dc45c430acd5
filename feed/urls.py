from django.contrib.auth import views as auth_views
from django.urls import path

from feed import views

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.sign_up, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="feed/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("p/<int:post_id>/", views.post_detail, name="post_detail"),
    path("@<str:handle>/", views.profile, name="profile"),
    path("@<str:handle>/follow/", views.follow_toggle, name="follow_toggle"),
    path("@<str:handle>/block/", views.block_toggle, name="block_toggle"),
]
