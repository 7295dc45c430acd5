from django.urls import path, re_path

from sora_site.consumers import UnknownPathConsumer, UserEventsConsumer

websocket_urlpatterns = [
    path("ws/events/", UserEventsConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),  # last: everything else
]
