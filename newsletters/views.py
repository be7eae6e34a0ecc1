"""The reader's side of the newsletter: a form, the confirmation link, the way out.

No view here sets a cookie or needs a CSRF token: the pages stay cacheable and shareable, the
signed links are the proof, and subscribing answers the same for any address.
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsletters import subscriptions


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    daily = forms.BooleanField(label="The daily edition", required=False, initial=True)
    breaking = forms.BooleanField(label="Breaking news", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("daily") or cleaned.get("breaking")):
            raise forms.ValidationError("Choose the daily edition, breaking news, or both.")
        return cleaned


def answer(request, template, context, status=200):
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


@csrf_exempt  # readers have no cookie to hold a token; the mail's link confirms
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method != "POST":
        return answer(request, "newsletters/subscribe.html", {"form": SubscribeForm()})
    if subscriptions.client_over_limit(request.META.get("REMOTE_ADDR", "")):
        return answer(
            request,
            "newsletters/subscribe.html",
            {"form": SubscribeForm(), "throttled": True},
            status=429,
        )
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return answer(request, "newsletters/subscribe.html", {"form": form}, status=400)
    subscriptions.ask_to_subscribe(
        form.cleaned_data["email"],
        daily=form.cleaned_data["daily"],
        breaking=form.cleaned_data["breaking"],
    )
    return answer(request, "newsletters/check_your_inbox.html", {})


@csrf_exempt  # the signed link is the proof; GET only shows a button (mail scanners follow GETs)
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    if subscriptions.confirmed_choice(token) is None:
        return answer(request, "newsletters/link_expired.html", {}, status=404)
    if request.method != "POST":
        return answer(request, "newsletters/confirm.html", {"token": token})
    subscriptions.confirm(token)
    return answer(request, "newsletters/confirmed.html", {})


@csrf_exempt  # RFC 8058: mail clients POST here without a session or token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    email = subscriptions.address_of_unsubscribe_token(token)
    if email is None:
        return answer(request, "newsletters/link_expired.html", {}, status=404)
    if request.method != "POST":
        return answer(request, "newsletters/unsubscribe.html", {"token": token})
    subscriptions.unsubscribe(email)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        response = HttpResponse("Unsubscribed.", content_type="text/plain")
        add_never_cache_headers(response)
        return response
    return answer(request, "newsletters/unsubscribed.html", {})
