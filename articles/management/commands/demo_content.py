import colorsys
import io
import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw
from taggit.models import Tag

from articles import demo
from articles.models import (
    Article,
    Author,
    Category,
    Correction,
    LiveEntry,
    RelatedLink,
    TaggedArticle,
)
from articles.sanitize import sanitize_html
from articles.search import search_vector
from caching.freshness import content_changed

HERO_SIZE = (1200, 675)
BATCH_SIZE = 1000


class Command(BaseCommand):
    help = "Create Newsroom's demo content (idempotent); --articles N adds N generated articles."

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            default=0,
            metavar="N",
            help="Also add N generated live articles (bulk insert, for scale tests).",
        )

    def handle(self, *args, articles, **options):
        if articles < 0:
            raise CommandError("--articles must be zero or a positive number.")
        with transaction.atomic():
            categories = self.create_categories()
            authors = self.create_authors()
            created = self.create_articles(categories, authors)
            self.create_unpublished(categories, authors)
            self.create_newsroom_tools(categories, authors)
        self.stdout.write(f"Demo content ready: {created} new demo article(s).")
        if articles:
            added = self.generate_articles(articles, list(categories.values()), authors)
            self.stdout.write(f"Added {added} generated article(s).")
            if connection.vendor == "postgresql":
                # After a bulk load: fresh statistics (or the planner guesses from empty tables)
                # and a visibility map (or index-only scans still read every row).
                # VACUUM can't run inside a transaction (a caller's, or a test's): ANALYZE can.
                command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"{command} articles_article, articles_taggedarticle, "
                        "articles_article_authors, taggit_tag, articles_category"
                    )

    def create_categories(self) -> dict[str, Category]:
        categories = {}
        for position, (name, slug, description) in enumerate(demo.CATEGORIES):
            categories[slug], _ = Category.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "position": position},
            )
        return categories

    def create_authors(self) -> list[Author]:
        return [
            Author.objects.get_or_create(slug=slug, defaults={"name": name, "bio": bio})[0]
            for name, slug, bio in demo.AUTHORS
        ]

    def create_articles(self, categories, authors) -> int:
        now = timezone.now()
        created_count = 0
        articles = []
        for index, (title, summary, category_slug, label, tags) in enumerate(demo.ARTICLES):
            article, created = Article.objects.get_or_create(
                slug=slugify(title),
                defaults={
                    "title": title,
                    "summary": summary,
                    "body": demo.article_body(index),
                    "category": categories[category_slug],
                    "label": label,
                    "is_featured": index == 0,
                    "status": Article.Status.PUBLISHED,
                    "published_at": now - timedelta(hours=3 + 7 * index),
                    "hero_alt": f"Abstract illustration for the story “{title}”",
                    "hero_caption": "Illustration generated for this demo.",
                    "hero_credit": f"Photo by {demo.PHOTOGRAPHERS[index % 5]} for Newsroom",
                },
            )
            if created:
                created_count += 1
                attach_hero_image(article, seed=index)
                article.save()
                article.tags.add(*tags)
                article.authors.add(authors[index % len(authors)])
                if index % 4 == 0:
                    article.authors.add(authors[(index + 1) % len(authors)])
            articles.append((article, created))
        for index, (article, created) in enumerate(articles):
            if created:
                self.link_related(article, index, [a for a, _ in articles])
        return created_count

    def link_related(self, article, index, articles):
        # Two curated links to other stories, and an external one on every third article.
        others = [a for a in articles if a.pk != article.pk]
        for position, offset in enumerate((5, 11)):
            RelatedLink.objects.create(
                article=article, target=others[(index + offset) % len(others)], position=position
            )
        if index % 3 == 0:
            url, title = demo.EXTERNAL_LINKS[index % len(demo.EXTERNAL_LINKS)]
            RelatedLink.objects.create(article=article, url=url, title=title, position=2)

    def create_unpublished(self, categories, authors):
        for (title, summary, category_slug, tags), status, published_at in (
            (demo.DRAFT, Article.Status.DRAFT, None),
            (demo.SCHEDULED, Article.Status.PUBLISHED, timezone.now() + timedelta(days=3)),
        ):
            article, created = Article.objects.get_or_create(
                slug=slugify(title),
                defaults={
                    "title": title,
                    "summary": summary,
                    "body": demo.article_body(1),
                    "category": categories[category_slug],
                    "status": status,
                    "published_at": published_at,
                },
            )
            if created:
                article.tags.add(*tags)
                article.authors.add(authors[0])

    def create_newsroom_tools(self, categories, authors):
        """A live article with a correction and an update, one under live coverage with a dozen
        entries (two key points), and one under embargo."""
        now = timezone.now()
        corrected = Article.objects.filter(
            slug=slugify(demo.ARTICLES[demo.CORRECTED_ARTICLE_INDEX][0])
        )
        corrected = corrected.first()
        if corrected is not None and not corrected.corrections.exists():
            for kind, text, ago in demo.NOTES:
                Correction.objects.create(article=corrected, kind=kind, text=text, at=now - ago)

        title, summary, category_slug, tags = demo.LIVE
        started = now - timedelta(minutes=demo.LIVE_ENTRIES[-1][0] + 8)
        live, created = Article.objects.get_or_create(
            slug=slugify(title),
            defaults={
                "title": title,
                "summary": summary,
                "body": "<p>Our reporters follow the day as it happens; the newest entry is on top.</p>",
                "category": categories[category_slug],
                "status": Article.Status.PUBLISHED,
                "published_at": started,
                "live_coverage_started_at": started,
            },
        )
        if created:
            live.tags.add(*tags)
            live.authors.add(authors[0], authors[1])
            for minutes, key_point, text in demo.LIVE_ENTRIES:
                LiveEntry.objects.create(
                    article=live,
                    body=f"<p>{text}</p>",
                    is_key_point=key_point,
                    author=authors[minutes // 13 % 2],
                    posted_at=started + timedelta(minutes=minutes),
                )

        title, summary, category_slug, tags = demo.EMBARGOED
        embargoed, created = Article.objects.get_or_create(
            slug=slugify(title),
            defaults={
                "title": title,
                "summary": summary,
                "body": demo.article_body(2),
                "category": categories[category_slug],
                "status": Article.Status.PUBLISHED,
                "published_at": now - timedelta(hours=1),
                "embargoed_until": now + timedelta(days=2),
            },
        )
        if created:
            embargoed.tags.add(*tags)
            embargoed.authors.add(authors[2 % len(authors)])

    @transaction.atomic
    def generate_articles(self, count, categories, authors) -> int:
        tags = [
            Tag.objects.get_or_create(name=n, defaults={"slug": n})[0] for n in demo.GENERATED_TAGS
        ]
        start = Article.objects.filter(slug__startswith="generated-").count()
        body = sanitize_html(demo.article_body(0))
        now = timezone.now()
        rng = random.Random(start)
        author_links = Article.authors.through
        for batch_start in range(0, count, BATCH_SIZE):
            numbers = range(start + batch_start, start + min(batch_start + BATCH_SIZE, count))
            batch = Article.objects.bulk_create(
                [generated_article(n, body, categories, now, rng) for n in numbers]
            )
            author_links.objects.bulk_create(
                author_links(article_id=a.pk, author_id=authors[a.pk % len(authors)].pk)
                for a in batch
            )
            TaggedArticle.objects.bulk_create(
                TaggedArticle(content_object_id=a.pk, tag=tag)
                for a in batch
                for tag in rng.sample(tags, 3)
            )
        if connection.vendor == "postgresql":
            # bulk_create skips save(): index the new rows for search in one statement.
            Article.objects.filter(
                slug__startswith="generated-", search_vector__isnull=True
            ).update(search_vector=search_vector())
        content_changed()  # bulk_create sends no signals
        return count


def generated_article(number, body, categories, now, rng) -> Article:
    title = (
        f"{rng.choice(demo.GENERATED_SUBJECTS)} {rng.choice(demo.GENERATED_VERBS)} "
        f"{rng.choice(demo.GENERATED_OBJECTS)} (report {number + 1})"
    )
    published_at = now - timedelta(days=2, minutes=10 * number)
    return Article(
        title=title,
        slug=f"generated-{number + 1:06d}",
        summary=f"A generated story for scale tests: {title.lower()}.",
        body=body,
        category=categories[number % len(categories)],
        status=Article.Status.PUBLISHED,
        published_at=published_at,
        first_published_at=published_at,
        reading_time_minutes=1,
    )


def attach_hero_image(article: Article, *, seed: int) -> None:
    """Draw an abstract hero image with Pillow: a gradient with overlapping circles."""
    rng = random.Random(seed)
    width, height = HERO_SIZE
    hue = rng.random()
    image = Image.new("RGB", HERO_SIZE)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        r, g, b = colorsys.hsv_to_rgb(hue, 0.55, 0.35 + 0.45 * y / height)
        draw.line([(0, y), (width, y)], fill=(int(r * 255), int(g * 255), int(b * 255)))
    for _ in range(7):
        radius = rng.randint(60, 260)
        x, y = rng.randint(0, width), rng.randint(0, height)
        r, g, b = colorsys.hsv_to_rgb((hue + rng.uniform(-0.12, 0.12)) % 1, 0.45, 0.95)
        draw.ellipse(
            [x - radius, y - radius, x + radius, y + radius],
            outline=(int(r * 255), int(g * 255), int(b * 255)),
            width=rng.randint(4, 18),
        )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True)
    article.hero_image.save(f"{article.slug}.jpg", ContentFile(buffer.getvalue()), save=False)
