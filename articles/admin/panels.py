"""Read-only parts of the article's admin pages: badges, images, the embargo record, the live
entries button. Each takes the article (or None on the add form) and returns HTML."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from articles.services import article_state


def local(moment, pattern="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(pattern)


@admin.display(description="state", ordering="status")
def state_badge(article):
    state = article_state(article)
    return format_html('<span class="state state--{}">{}</span>', state.code, state.label)


@admin.display(description="image")
def thumbnail(article):
    if not article.hero_image:
        return ""
    return format_html(
        '<img src="{}" alt="" width="64" height="36" class="thumb">', article.hero_image.url
    )


@admin.display(description="current image")
def hero_preview(article):
    if not article or not article.hero_image:
        return "No image yet."
    return format_html(
        '<img src="{}" alt="{}" class="hero-preview">', article.hero_image.url, article.hero_alt
    )


# Other apps add lines to the embargo record (partners: which keys fetched the article), so the
# content app does not need to know them: each takes the article and returns lines of HTML.
EMBARGO_RECORD_LINES: list = []


@admin.display(description="embargo record")
def embargo_record(article):
    """Who set or changed the embargo (from the article's history), and what other apps record."""
    if article is None or article.pk is None:
        return "—"
    changes, previous = [], None
    history = article.history.order_by("history_date", "history_id").select_related("history_user")
    for record in history:
        if record.embargoed_until != previous:
            changes.append(record)
            previous = record.embargoed_until
    lines = [
        format_html(
            "<li>{} set it to {} ({})</li>",
            record.history_user or "someone",
            local(record.embargoed_until) if record.embargoed_until else "none",
            local(record.history_date),
        )
        for record in changes
    ]
    for more_lines in EMBARGO_RECORD_LINES:
        lines += more_lines(article)
    if not lines:
        return "No embargo has been set."
    return format_html(
        '<ul class="embargo-record">{}</ul>',
        format_html_join("", "{}", ((line,) for line in lines)),
    )


@admin.display(description="live entries")
def post_live_entry(article):
    if article is None or article.pk is None or not article.has_live_coverage:
        return "Set a start time to run live coverage; entries are posted from here."
    count = article.live_entries.count()
    add = reverse("admin:articles_liveentry_add") + f"?article={article.pk}"
    listing = reverse("admin:articles_liveentry_changelist") + f"?article__id__exact={article.pk}"
    if not (article.is_live and article.is_live_coverage):
        return format_html('Coverage is not running. <a href="{}">{} entries</a>', listing, count)
    return format_html(
        '<a class="button" href="{}">Post a live entry</a> · <a href="{}">{} entries</a>',
        add,
        listing,
        count,
    )


@admin.display(description="notes")
def notes_thread(article):
    """The desk's notes on the article, each with its replies; resolved ones struck through."""
    if not article or not article.pk:
        return "No notes yet."
    notes = list(article.editorial_notes.select_related("written_by", "resolved_by"))
    if not notes:
        return "No notes yet."
    replies = {}
    for note in notes:
        replies.setdefault(note.reply_to_id, []).append(note)

    def render(note):
        who = note.written_by.get_username() if note.written_by else "someone"
        state = (
            format_html(
                ' <span class="note-state">resolved by {}</span>', note.resolved_by or "someone"
            )
            if note.resolved_at
            else ""
        )
        kind = " note--changes" if note.kind == note.Kind.CHANGES_REQUESTED else ""
        return format_html(
            '<li class="note{}{}"><p class="note-meta"><strong>{}</strong> · {}{}{}</p>'
            '<p class="note-text">{}</p>{}</li>',
            kind,
            " note--resolved" if note.resolved_at else "",
            who,
            local(note.written_at, "%b %-d, %H:%M"),
            format_html(" · {}", note.get_kind_display()) if kind else "",
            state,
            note.text,
            format_html(
                '<ul class="note-replies">{}</ul>',
                format_html_join("", "{}", ((render(r),) for r in replies.get(note.pk, []))),
            )
            if replies.get(note.pk)
            else "",
        )

    return format_html(
        '<ul class="notes">{}</ul>',
        format_html_join("", "{}", ((render(n),) for n in replies.get(None, []))),
    )
