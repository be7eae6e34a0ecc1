"""The article's change form: its fields, the body editor, and the checks a save must pass."""

from enum import StrEnum

from django import forms
from django.utils import timezone
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.conflicts import merge_into_form
from articles.images import STORAGE_UNREACHABLE, media_storage_reachable
from articles.models import Article, EditorialNote
from articles.services import can_publish, describe_conflict

BODY_EDITOR = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "Blockquote": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "Figure": True,
        "Image": True,
        "Caption": True,
        "ListItem": True,
        "HardBreak": True,
        "History": True,
        "HTML": True,
    }
}


class WorkflowAction(StrEnum):
    """The change form's workflow buttons (templates/admin/articles/article/change_form.html),
    by the name each submits."""

    SUBMIT_FOR_REVIEW = "_submit_review"
    PUBLISH_NOW = "_publish_now"
    SCHEDULE = "_schedule"
    UNPUBLISH = "_unpublish"
    # A live article's changes, kept without touching what readers see (articles.pending) …
    SAVE_FOR_LATER = "_save_for_later"
    # … and made live: an ordinary save of what was kept.
    PUBLISH_CHANGES = "_publish_changes"
    # A piece in review back to its writer, as a draft, with the note saying what to change.
    REQUEST_CHANGES = "_request_changes"

    @classmethod
    def pressed(cls, data) -> "WorkflowAction | None":
        """The button a submitted form was sent with; None for plain Save."""
        return next((action for action in cls if action.value in data), None)

    @property
    def is_publishing(self) -> bool:
        return self not in {
            WorkflowAction.SUBMIT_FOR_REVIEW,
            WorkflowAction.SAVE_FOR_LATER,
            WorkflowAction.REQUEST_CHANGES,
        }


class ArticleAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    take_over_slug = forms.BooleanField(
        required=False,
        label="Take over this address",
        help_text="Only if the slug above used to belong to another article: its old address "
        "will open this article instead.",
    )
    canonical_url = forms.URLField(
        label="Canonical URL",
        required=False,
        assume_scheme="https",
        help_text=Article._meta.get_field("canonical_url").help_text,
    )
    # The desk's notes (articles.review): written with any save, never public.
    editorial_note = forms.CharField(
        label="Note to the desk",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by staff only. With “Request changes”, it tells the writer what to change.",
    )
    reply_to_note = forms.ModelChoiceField(
        label="In reply to",
        queryset=EditorialNote.objects.none(),
        required=False,
        empty_label="(a new note)",
    )
    resolve_notes = forms.ModelMultipleChoiceField(
        label="Resolve",
        queryset=EditorialNote.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Notes that are dealt with (their replies too).",
    )
    request = None  # set per request by ArticleAdmin.get_form
    conflict = None  # what was saved since the form was opened, once a save is refused

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "label",
            "summary",
            "body",
            "category",
            "tags",
            "authors",
            "is_featured",
            "hero_image",
            "hero_alt",
            "hero_caption",
            "hero_credit",
            "published_at",
            "embargoed_until",
            "live_coverage_started_at",
            "live_coverage_ended_at",
            "seo_title",
            "seo_description",
            "canonical_url",
        ]
        widgets = {"body": AdminProseEditorWidget(config=BODY_EDITOR, preset="configurable")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            open_notes = EditorialNote.objects.filter(
                article=self.instance, resolved_at__isnull=True, reply_to__isnull=True
            ).select_related("written_by")
            self.fields["reply_to_note"].queryset = open_notes
            self.fields["resolve_notes"].queryset = open_notes
            self.fields["reply_to_note"].label_from_instance = note_choice
            self.fields["resolve_notes"].label_from_instance = note_choice
        for name in (
            "published_at",
            "embargoed_until",
            "live_coverage_started_at",
            "live_coverage_ended_at",
        ):
            if name in self.fields:
                parts = self.fields[name].widget.widgets
                parts[0].attrs.setdefault("aria-label", f"{self.fields[name].label}: date")
                parts[1].attrs.setdefault("aria-label", f"{self.fields[name].label}: time")
        # The one place the workflow button is read; the admin acts on form.action.
        self.action = WorkflowAction.pressed(self.data) if self.is_bound else None

    def clean(self):
        cleaned = super().clean()
        self.instance.allow_slug_takeover = bool(cleaned.get("take_over_slug"))
        if self.action and self.action.is_publishing and not can_publish(self.request.user):
            raise forms.ValidationError("Only editors can publish, schedule or unpublish articles.")
        if self.action is WorkflowAction.SCHEDULE:
            at = cleaned.get("published_at")
            if at is None or at <= timezone.now():
                self.add_error("published_at", "To schedule, choose a time in the future.")
        if self.action is WorkflowAction.SAVE_FOR_LATER:
            self.check_can_wait()
        if self.action is WorkflowAction.REQUEST_CHANGES:
            if not can_publish(self.request.user):
                raise forms.ValidationError("Only editors can return a piece to its writer.")
            if self.instance.status != Article.Status.REVIEW:
                raise forms.ValidationError("Only a piece in review can be returned to its writer.")
            if not (cleaned.get("editorial_note") or "").strip():
                self.add_error("editorial_note", "Say what to change: the writer sees this note.")
        self.check_version(cleaned.get("expected_version"))
        new_upload = "hero_image" in self.changed_data and cleaned.get("hero_image")
        if new_upload and not media_storage_reachable():
            self.add_error("hero_image", STORAGE_UNREACHABLE)
        return cleaned

    def check_can_wait(self):
        if not self.instance.is_live:
            raise forms.ValidationError(
                "Only a live article's changes can wait: use Save, readers don't see it yet."
            )
        if "hero_image" in self.changed_data:
            self.add_error(
                "hero_image",
                "A new image can't wait: upload it with Save, or save the other changes for "
                "later without it.",
            )

    def check_version(self, expected):
        if self.instance.pk is None or expected is None or self.is_revert():
            return
        # Locks the row until the admin's transaction ends, so no save can slip in between.
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is not None and current != expected:
            # Theirs merged into this form where I had not touched a field; the form now
            # carries the current version, so Save again succeeds (articles.conflicts).
            self.conflict = merge_into_form(self, expected, current)
            raise forms.ValidationError(describe_conflict(self.instance, expected, merged=True))

    def is_revert(self) -> bool:
        match = getattr(self.request, "resolver_match", None)
        return bool(match and match.url_name == "articles_article_simple_history")


def note_choice(note: EditorialNote) -> str:
    who = note.written_by.get_username() if note.written_by else "someone"
    text = note.text if len(note.text) <= 60 else f"{note.text[:59]}…"
    return f"{who}: {text}"
