"""The walk of a cold request through the project's own code: which modules and how many of the
project's functions one uncached request passes (every cache off, CACHE_URL=dummy://), and how
many times it enters each module. A measure of how much a reader of the code must follow.

    .venv/bin/python scripts/walk.py [--path /api/v1/articles/]

It makes a SQLite database with the demo content in a temporary folder.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DRIVE = r"""
import collections, json, os, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", "--noinput", verbosity=0)
call_command("demo_content", verbosity=0)
headers = {}
from django.apps import apps
key_model = next(m for m in apps.get_models() if m.__name__ == "PartnerKey")
_, key = key_model.objects.create_key(name="walk")
headers["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
article = apps.get_model("articles", "Article").objects.live().exclude(hero_image="").first()
targets = {"cold article": article.get_absolute_url(), "cold API list (20)": "/api/v1/articles/"}
root = os.environ["WALK_ROOT"]
client = Client(HTTP_HOST="127.0.0.1")
report = {}
for name, path in targets.items():
    api = path.startswith("/api/")
    client.get(path, **(headers if api else {}))  # imports and first-use work out of the way
    functions, entries, last = set(), collections.Counter(), [None]

    def profile(frame, event, arg):
        if event != "call":
            return
        filename = frame.f_code.co_filename
        if not filename.startswith(root) or "/.venv/" in filename or "/tests/" in filename:
            return
        module = os.path.relpath(filename, root)
        functions.add((module, frame.f_code.co_qualname))
        caller = frame.f_back.f_code.co_filename if frame.f_back else ""
        if caller != filename:
            entries[module] += 1

    sys.setprofile(profile)
    response = client.get(path, **(headers if api else {}))
    sys.setprofile(None)
    assert response.status_code == 200, (path, response.status_code)
    report[name] = {
        "modules": len({module for module, _ in functions}),
        "functions": len(functions),
        "entries": dict(entries.most_common()),
    }
print(json.dumps(report))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", default=str(ROOT), help="the checkout to walk (default: this one)"
    )
    args = parser.parse_args()
    root = Path(args.root).resolve()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DATABASE_URL": f"sqlite:///{folder}/walk.sqlite3",
            "CACHE_URL": "dummy://",
            "DJANGO_MEDIA_ROOT": f"{folder}/media",
            "WALK_ROOT": str(root),
        }
        result = subprocess.run(
            [sys.executable, "-c", DRIVE], cwd=root, env=env, capture_output=True, text=True
        )
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    print(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
