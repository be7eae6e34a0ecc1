"""Staff sign-in aids: password reset by e-mail that gives nothing away about accounts."""

import threading

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

MAIL_THREAD_NAME = "password-reset-mail"


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form already answers the same page for known and unknown addresses; sending
    the mail from a thread makes the answer take as long too, so timing reveals nothing."""

    def send_mail(self, *args, **kwargs):
        send = super().send_mail
        threading.Thread(
            target=send, args=args, kwargs=kwargs, name=MAIL_THREAD_NAME, daemon=True
        ).start()


class AdminLook:
    """Render the auth views inside the admin's frame (header, title)."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class ResetView(AdminLook, auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class ResetDoneView(AdminLook, auth_views.PasswordResetDoneView):
    pass


class ResetConfirmView(AdminLook, auth_views.PasswordResetConfirmView):
    pass


class ResetCompleteView(AdminLook, auth_views.PasswordResetCompleteView):
    pass


urlpatterns = [
    path("admin/password_reset/", ResetView.as_view(), name="admin_password_reset"),
    path("admin/password_reset/done/", ResetDoneView.as_view(), name="password_reset_done"),
    path(
        "admin/reset/<uidb64>/<token>/",
        ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("admin/reset/done/", ResetCompleteView.as_view(), name="password_reset_complete"),
]
