from django.urls import path

from cameos import views

urlpatterns = [
    path("cameos/", views.dashboard, name="cameos"),
    path("cameos/consent/", views.consent, name="cameo_consent"),
    path("cameos/record/", views.record, name="cameo_record"),
    path("cameos/record/upload/", views.upload, name="cameo_upload"),
    path("cameos/new-character/", views.character_new, name="cameo_character_new"),
    path("cameos/mentions.json", views.mentions, name="cameo_mentions"),
    path("moderation/public-figures/", views.public_figures, name="public_figures"),
    path("public-figures/request/", views.public_figure_request, name="public_figure_request"),
    path("moderation/public-figures/<int:figure_id>/remove/", views.public_figure_remove, name="public_figure_remove"),
    path("cameos/@<str:handle>/", views.detail, name="cameo_detail"),
    path("cameos/@<str:handle>/status.json", views.status, name="cameo_status"),
    path("cameos/@<str:handle>/portraits/<int:portrait_id>.jpg", views.portrait, name="cameo_portrait"),
    path("cameos/@<str:handle>/settings/", views.settings_update, name="cameo_settings"),
    path("cameos/@<str:handle>/pause/", views.pause, name="cameo_pause"),
    path("cameos/@<str:handle>/voice-sample/stop/", views.voice_sample_stop, name="cameo_voice_sample_stop"),
    path("cameos/@<str:handle>/request/", views.request_access, name="cameo_request_access"),
    path("cameos/@<str:handle>/access/<str:username>/<str:action>/", views.access, name="cameo_access"),
    path("cameos/@<str:handle>/uses/<int:usage_id>/remove/", views.usage_remove, name="cameo_usage_remove"),
    path("cameos/@<str:handle>/uses/<int:usage_id>/report/", views.usage_report, name="cameo_usage_report"),
    path("cameos/@<str:handle>/delete/", views.delete, name="cameo_delete"),
]
