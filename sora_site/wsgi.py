import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
application = get_wsgi_application()

from sora_site.web import web_models_warm  # noqa: E402  (needs settings loaded)

web_models_warm()
