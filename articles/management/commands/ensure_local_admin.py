import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

CREDENTIALS_FILE = settings.BASE_DIR / ".local-admin"


class Command(BaseCommand):
    help = "For local use: create an 'admin' superuser on first run and print its login."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            if CREDENTIALS_FILE.exists():
                self.stdout.write(CREDENTIALS_FILE.read_text().strip())
            else:
                self.stdout.write("An admin account already exists.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", "admin@example.com", password)
        address = os.environ.get("NEWSROOM_ADDR", "127.0.0.1:8000")  # as scripts/run serves
        login = f"Admin login: http://{address}/admin/  user: admin  password: {password}"
        CREDENTIALS_FILE.write_text(login + "\n")
        CREDENTIALS_FILE.chmod(0o600)
        self.stdout.write(login)
