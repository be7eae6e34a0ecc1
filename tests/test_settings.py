import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsroom.settings import cache_config, env_bool, env_list

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "url, backend",
    [
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
        ("dummy://", "django.core.cache.backends.dummy.DummyCache"),
        ("redis://127.0.0.1:6379/1", "django.core.cache.backends.redis.RedisCache"),
        ("rediss://cache.example:6380/0", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_cache_url_selects_the_backend(url, backend):
    assert cache_config(url)["BACKEND"] == backend


def test_unknown_cache_scheme_is_refused_clearly():
    with pytest.raises(ValueError, match="Unsupported cache URL scheme"):
        cache_config("memcached://x")


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("true", True), ("on", True), ("0", False), ("", False)]
)
def test_env_bool(monkeypatch, value, expected):
    monkeypatch.setenv("X_FLAG", value)
    assert env_bool("X_FLAG", default=False) is expected


def test_env_list(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example , b.example ,")
    assert env_list("X_LIST", default="") == ["a.example", "b.example"]


def manage(*args, **env):
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "REDIS_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_are_safe():
    result = manage(
        "shell", "-c", "from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"
    )
    assert result.stdout.strip().splitlines()[-1] == "False ['127.0.0.1', 'localhost', '[::1]']"


def test_check_deploy_is_clean_under_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x7!Kp2@vQ9#mL4$wZ8^rT1&yB6*nC3(hF5)jD0_gS-uA+eR=iO~" * 2,
        DJANGO_ALLOWED_HOSTS="news.example.com",
        DJANGO_HTTPS="1",
        CACHE_URL="dummy://",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_local_placeholder_key():
    result = manage("check", "--deploy")
    assert "security.W009" in result.stdout + result.stderr


def test_collectstatic_leaves_out_assets_the_site_never_serves():
    from newsroom.staticfiles import ServedAppAssetsFinder

    paths = [path for path, _ in ServedAppAssetsFinder().list([])]
    assert not [
        p for p in paths if p.startswith(("rest_framework/", "drf_spectacular_sidecar/redoc/"))
    ]
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in paths
    assert "admin/css/base.css" in paths
