"""Newsroom's Celery application: background work (image renditions, the search index) off the
editor's request. Workers: `celery -A newsroom worker`; the broker is CELERY_BROKER_URL.

Without a broker (the embedded default) every task runs in the process that asks for it, at the
moment it asks (Celery's eager mode): see articles.tasks.enqueue.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
