# The Celery application loads with Django, so @shared_task functions bind to it.
from newsroom.celery import app as celery_app

__all__ = ["celery_app"]
