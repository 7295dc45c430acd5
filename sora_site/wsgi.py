import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
application = get_wsgi_application()

from sora_site.text_embeddings import embeddings_warm  # noqa: E402  (needs settings loaded)

embeddings_warm()
