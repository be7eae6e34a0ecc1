"""Security headers, brute-force lock-out and account privacy."""

import re
import threading

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.management import call_command

from newsroom.accounts import MAIL_THREAD_NAME
from tests.test_settings import manage

LOGIN = "/admin/login/?next=/admin/"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/", "ARTICLE", "/search/?q=x", "/feed/", "/no-such-page/"])
def test_public_pages_carry_a_strict_policy_and_the_other_headers(client, article, path):
    url = article.get_absolute_url() if path == "ARTICLE" else path
    for attempt in ("first", "from the page cache"):
        response = client.get(url)
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], attempt
        assert "'unsafe-inline'" not in policy["style-src"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "geolocation=()" in response["Permissions-Policy"]
        assert "camera=()" in response["Permissions-Policy"]


def test_public_pages_have_no_inline_script_or_style(client, article):
    for url in ["/", article.get_absolute_url(), f"/categories/{article.category.slug}/"]:
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        # JSON-LD is data, never executed, so script-src does not apply to it.
        assert all('type="application/ld+json"' in attrs for attrs in scripts), scripts
        assert "<style" not in html
        assert " style=" not in html
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "inline event handler"


def test_admin_import_map_runs_under_the_policy_by_its_nonce(staff_client, article):
    response = staff_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200
    policy = directives(response)
    nonces = [value for value in policy["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1 and "'unsafe-inline'" not in policy["script-src"]
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    import_map = re.search(r"<script[^>]*type=\"importmap\"[^>]*>", html).group(0)
    assert f'nonce="{nonce}"' in import_map
    # Every inline script in the admin form carries the nonce.
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        assert f'nonce="{nonce}"' in tag or "application/json" in tag, tag


def test_each_admin_response_gets_a_fresh_nonce(staff_client, article):
    url = f"/admin/articles/article/{article.pk}/change/"
    first, second = (directives(staff_client.get(url))["script-src"] for _ in range(2))
    assert first != second


def test_admin_is_not_framable(client, db):
    response = client.get(LOGIN)
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]


def test_production_cookies_are_secure_http_only_and_same_site():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)",
        DJANGO_HTTPS="1",
    )
    assert result.stdout.strip().splitlines()[-1] == "True True True Lax Lax 31536000 True"


def test_session_cookie_set_on_sign_in_is_http_only_and_same_site(client, django_user_model):
    django_user_model.objects.create_superuser("chief", "chief@example.com", "a-long-passphrase")
    response = client.post(LOGIN, {"username": "chief", "password": "a-long-passphrase"})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# Brute force ------------------------------------------------------------------------------


def fail_login(client, username, *, times, address="203.0.113.7"):
    responses = [
        client.post(LOGIN, {"username": username, "password": "wrong-guess"}, REMOTE_ADDR=address)
        for _ in range(times)
    ]
    return responses[-1]


@pytest.fixture
def chief(django_user_model):
    return django_user_model.objects.create_superuser(
        "chief", "chief@example.com", "a-long-passphrase"
    )


def test_failed_sign_ins_lock_the_username_with_a_clear_message(client, chief, settings):
    before_limit = fail_login(client, "chief", times=settings.AXES_FAILURE_LIMIT - 1)
    assert before_limit.status_code == 200  # the login form again, with its error
    locked = fail_login(client, "chief", times=1)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "ask an administrator to unlock it" in locked.content.decode()
    # Even the right password is refused now, from another address too.
    right = client.post(
        LOGIN, {"username": "chief", "password": "a-long-passphrase"}, REMOTE_ADDR="198.51.100.9"
    )
    assert right.status_code == 429


def test_credential_stuffing_from_one_address_locks_the_address(client, chief, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        response = fail_login(client, f"stuffed{number}", times=1, address="192.0.2.50")
    assert response.status_code == 429
    right = client.post(
        LOGIN, {"username": "chief", "password": "a-long-passphrase"}, REMOTE_ADDR="192.0.2.50"
    )
    assert right.status_code == 429
    elsewhere = client.post(
        LOGIN, {"username": "chief", "password": "a-long-passphrase"}, REMOTE_ADDR="192.0.2.51"
    )
    assert elsewhere.status_code == 302


def test_a_spoofed_forwarded_for_header_does_not_dodge_the_address_lock(client, chief, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            LOGIN,
            {"username": f"stuffed{number}", "password": "x"},
            REMOTE_ADDR="192.0.2.60",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )
    assert response.status_code == 429


def test_lock_out_says_the_same_for_unknown_usernames(client, chief, settings):
    known = fail_login(client, "chief", times=settings.AXES_FAILURE_LIMIT, address="192.0.2.1")
    unknown = fail_login(client, "nobody", times=settings.AXES_FAILURE_LIMIT, address="192.0.2.2")
    assert known.status_code == unknown.status_code == 429
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())


def test_login_failure_message_is_the_same_for_unknown_users_and_wrong_passwords(client, chief):
    wrong_password = client.post(LOGIN, {"username": "chief", "password": "nope"})
    no_such_user = client.post(LOGIN, {"username": "nobody", "password": "nope"})
    assert wrong_password.context["form"].errors == no_such_user.context["form"].errors


def test_a_superuser_unlocks_a_locked_account(client, chief, settings, django_user_model):
    fail_login(client, "chief", times=settings.AXES_FAILURE_LIMIT)
    assert AccessAttempt.objects.filter(username="chief").exists()
    call_command("axes_reset_username", "chief")
    ok = client.post(LOGIN, {"username": "chief", "password": "a-long-passphrase"})
    assert ok.status_code == 302


def test_locks_are_listed_and_removable_in_the_admin(client, chief, settings, django_user_model):
    fail_login(client, "chief", times=settings.AXES_FAILURE_LIMIT)
    other = django_user_model.objects.create_superuser("ops", "ops@example.com", "x")
    client.force_login(other)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "chief" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="chief")
    client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    client.logout()
    ok = client.post(LOGIN, {"username": "chief", "password": "a-long-passphrase"})
    assert ok.status_code == 302


def test_cool_off_lifts_the_lock_by_itself(client, chief, settings, time_machine):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    fail_login(client, "chief", times=settings.AXES_FAILURE_LIMIT)
    time_machine.move_to("2026-03-01 10:01Z", tick=False)
    ok = client.post(LOGIN, {"username": "chief", "password": "a-long-passphrase"})
    assert ok.status_code == 302


# Passwords and reset ------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["short-pw", "password1234", "12345678901234", "chiefchief12"])
def test_weak_passwords_are_refused(password, django_user_model, db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = django_user_model(username="chiefchief", email="chief@example.com")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def wait_for_mail_threads():
    for thread in threading.enumerate():
        if thread.name == MAIL_THREAD_NAME:
            thread.join(timeout=5)


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, chief):
    known = client.post("/admin/password_reset/", {"email": "chief@example.com"})
    unknown = client.post("/admin/password_reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/admin/password_reset/done/"
    wait_for_mail_threads()
    assert [message.to for message in mail.outbox] == [["chief@example.com"]]


def test_password_reset_link_sets_a_new_password(client, chief):
    client.post("/admin/password_reset/", {"email": "chief@example.com"})
    wait_for_mail_threads()
    link = re.search(r"http://testserver(/admin/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-fresh-passphrase-9", "new_password2": "a-fresh-passphrase-9"},
    )
    assert done.status_code == 302
    chief.refresh_from_db()
    assert chief.check_password("a-fresh-passphrase-9")


def test_login_page_offers_password_reset(client, db):
    assert "/admin/password_reset/" in client.get(LOGIN).content.decode()


def test_media_is_served_sandboxed_and_never_sniffed(client, db):
    from tests import factories
    from tests.public.test_xss import hero_upload

    article = factories.make_article(hero_image=hero_upload(), hero_alt="A picture")
    response = client.get(article.hero_image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
