"""Real processes for the tests that need them: gunicorn servers, manage.py commands, a staff
browser session speaking to the admin over HTTP, and throw-away PostgreSQL databases.

Everything binds to 127.0.0.1, has a time limit, and is stopped by the context that started it.
"""

import contextlib
import http.client
import http.cookies
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.with_name("gunicorn")
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)


def answers(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(
    tmp_path: Path, database_url: str, cache_url: str | None = None, *, static_root: Path
) -> dict:
    """The settings a deployment would pass, nothing inherited from the test run's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "PYTEST_"))
        and key not in {"DATABASE_URL", "CACHE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url,
    )
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def manage(env: dict, *args: str, timeout: float = 120, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def shell(env: dict, code: str, timeout: float = 60, cwd: Path = ROOT) -> str:
    return manage(env, "shell", "-v", "0", "-c", code, timeout=timeout, cwd=cwd)


SEED = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from articles.models import Article, Category
from partners.models import PartnerKey
markets = Category.objects.create(name="Markets", slug="markets")
article = Article.objects.create(
    title="The first headline", slug="first-story", summary="A summary.", body="<p>Body.</p>",
    category=markets, status="published", published_at=timezone.now(),
)
article.tags.add("economy")
Article.objects.create(
    title="A waiting draft", slug="waiting-draft", summary="A summary.", category=markets,
)
get_user_model().objects.create_superuser("desk", "desk@example.com", "a-long-desk-password")
print(PartnerKey.objects.create_key(name="partner", requests_per_minute=1_000_000)[1])
"""
STAFF = ("desk", "a-long-desk-password")


def collect_static(static_root: Path) -> None:
    """collectstatic under production settings (hashed, compressed names)."""
    env = site_environment(static_root, "sqlite://:memory:", static_root=static_root)
    manage(env, "collectstatic", "--noinput", "-v0", timeout=300)


def seed_site(env: dict) -> str:
    """Migrate a new database, add a live article, a draft and a staff user; the API key."""
    manage(env, "migrate", "--noinput", "-v0")
    return shell(env, SEED).strip().splitlines()[-1]


@dataclass
class Response:
    status: int
    headers: dict
    body: str


def get(port: int, path: str, headers: dict | None = None) -> Response:
    """One GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return Response(response.status, dict(response.getheaders()), body)
    finally:
        connection.close()


class Server:
    """gunicorn serving the site, as in production; its access log names the worker (pid) that
    answered each request."""

    def __init__(self, env: dict, log_dir: Path, *, workers: int = 2, options: tuple = ()):
        self.env, self.workers, self.port = env, workers, free_port()
        self.options = options  # more of gunicorn's options
        self.access_log = log_dir / f"access-{self.port}.log"
        self.error_log = log_dir / f"error-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        command = [
            str(GUNICORN),
            "newsroom.wsgi",
            *("-w", str(self.workers), "-b", f"127.0.0.1:{self.port}"),
            *("--access-logfile", str(self.access_log), "--access-logformat", "%(p)s %(U)s"),
            *("--error-logfile", str(self.error_log), "--timeout", "30"),
            *self.options,
        ]
        with self.error_log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if get(self.port, "/healthz").status == 200:
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start:\n{self.error_log.read_text()}")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def get(self, path: str, headers: dict | None = None) -> Response:
        return get(self.port, path, headers)

    def workers_that_answered(self, path: str) -> set[str]:
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return {line.split()[0] for line in lines if line.split()[1:] == [path]}


@contextlib.contextmanager
def celery_worker(env: dict, log_path: Path) -> Iterator[subprocess.Popen]:
    """`celery -A newsroom worker` (one process, solo pool) as a deployment runs it; stopped
    (warm shutdown) when the context ends. Its log goes to `log_path`."""
    command = [str(PYTHON), "-m", "celery", "-A", "newsroom", "worker", "--pool", "solo"]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    with log_path.open("w") as log:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield worker
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)


def wait_until(check: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> float:
    """Seconds until `check()` first holds; AssertionError after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"still not true after {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    import psycopg

    name = f"newsroom_proc_{secrets.token_hex(4)}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def empty_redis_database(number: int) -> str:
    import redis

    url = f"redis://127.0.0.1:6379/{number}"
    redis.Redis.from_url(url).flushdb()
    return url


class _FormFields(HTMLParser):
    """The successful controls of the admin's change form, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


@dataclass
class StaffSession:
    """An editor in the admin over plain HTTP: signs in, opens a change form and submits it
    with one of its buttons, like a browser does (CSRF token and cookies included)."""

    port: int
    cookies: dict = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: str | bytes | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = content_type
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            text = response.read().decode("utf-8", "replace")
            return Response(response.status, dict(response.getheaders()), text)
        finally:
            connection.close()

    def form(self, path: str) -> list[tuple[str, str]]:
        page = self.request("GET", path)
        if page.status != 200:
            raise AssertionError(f"GET {path}: {page.status}")
        parser = _FormFields()
        parser.feed(page.body)
        return parser.fields

    def submit(
        self, path: str, changes: dict, button: str | None = None, files: dict | None = None
    ) -> Response:
        """Submit the form at `path` with `changes`; `files`: {field: (file name, bytes)}."""
        fields = [(name, value) for name, value in self.form(path) if name not in changes]
        fields += list(changes.items())
        if button:
            fields.append((button, "1"))
        if not files:
            return self.request("POST", path, urllib.parse.urlencode(fields))
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
            for name, value in fields
        ]
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")

    def sign_in(self, username: str, password: str) -> None:
        response = self.submit(
            "/admin/login/?next=/admin/", {"username": username, "password": password}
        )
        if response.status != 302:
            raise AssertionError(f"sign-in refused: {response.status}")

    def article_change_path(self, slug_id: int) -> str:
        return f"/admin/articles/article/{slug_id}/change/"
