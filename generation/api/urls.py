from django.urls import path

from generation.api import views

urlpatterns = [
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/<str:public_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("settings/webhooks/", views.webhook_settings, name="webhooks"),
    path("settings/webhooks/test/", views.webhook_test, name="webhook_test"),
    path("settings/webhooks/<str:public_id>/delete/", views.webhook_delete, name="webhook_delete"),
]
