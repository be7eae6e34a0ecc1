"""What the article's change form shows beside its own fields: More to Read links, old
addresses, corrections."""

from django import forms
from django.contrib import admin
from django.db import models

from articles.models import ArticleRedirect, Correction, RelatedLink
from articles.services import can_publish

# An address typed without a scheme is taken as https (Django 6's default, chosen now).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def label_every_input(form) -> None:
    """Give each input an accessible name: a table row's inputs have no <label> of their own
    (only the column heading), and a date and time pair shares one."""
    for field in form.fields.values():
        label = str(field.label or "")
        widget = field.widget
        widget = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
        parts = getattr(widget, "widgets", None)
        if parts and len(parts) == 2:
            parts[0].attrs.setdefault("aria-label", f"{label}: date")
            parts[1].attrs.setdefault("aria-label", f"{label}: time")
        elif label:
            widget.attrs.setdefault("aria-label", label)


class LabelledInlineForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_every_input(self)


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    form = LabelledInlineForm
    fk_name = "article"
    extra = 1
    fields = ["position", "target", "url", "title"]
    autocomplete_fields = ["target"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    verbose_name = "“More to Read” link"
    verbose_name_plural = "“More to Read” links (shown in this order, topped up from the category)"


class ArticleRedirectInline(admin.TabularInline):
    model = ArticleRedirect
    form = LabelledInlineForm
    extra = 0
    fields = ["old_slug", "created_at"]
    readonly_fields = ["old_slug", "created_at"]
    can_delete = True
    verbose_name_plural = "Old addresses that redirect here"

    def has_add_permission(self, request, obj=None):
        return False


class EditorsChangeNotesMixin:
    """Corrections are the editors' to change or remove (each change stays in their history)."""

    def has_change_permission(self, request, obj=None):
        return can_publish(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_publish(request.user) and super().has_delete_permission(request, obj)


class CorrectionInline(EditorsChangeNotesMixin, admin.StackedInline):
    """Corrections, clarifications and updates of a live article: editors only (the change form
    of a published article is theirs); every change and removal stays in the note's history."""

    model = Correction
    form = LabelledInlineForm
    extra = 0
    fields = ["kind", "text", "at"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}
    verbose_name = "correction or update"
    verbose_name_plural = "Corrections and updates (shown on the article, newest first)"

    def has_add_permission(self, request, obj=None):
        return can_publish(request.user) and super().has_add_permission(request, obj)
