"""The WSGI application the web hosts serve (`gunicorn vip.wsgi:application`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vip.settings")
application = get_wsgi_application()

# What is loaded now (the settings, the apps, the models, the URLconf and every view it imports) lives as
# long as the process. Frozen, the garbage collector no longer walks it: a full collection took 73 ms of a
# request every few hundred, and 3 ms once frozen (docs/performance.md, "The web process").
get_resolver().url_patterns  # noqa: B018 - imports the URLconf now rather than at the first request
gc.freeze()
