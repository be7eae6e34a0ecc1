"""Responsive hero image renditions: a few widths in WebP and JPEG, made once per image.

Pillow with a small record on the article (not django-imagekit or easy-thumbnails): the sizes
are fixed, the work happens when an editor saves a new image, and the URLs and sizes live in a
JSON field on the article, so list pages need no query per card to print `srcset`.
"""

import hashlib
import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

WIDTHS = (480, 800, 1200)
FORMATS = {"webp": ("WEBP", {"quality": 80, "method": 4}), "jpeg": ("JPEG", {"quality": 82})}


def build_renditions(image_field) -> dict:
    """Write the renditions of an uploaded image; return {source, digest, formats: {fmt: [[w, h,
    url, bytes]]}}: they are filed under renditions/<digest>/ (articles.media serves them only
    while an article showing them is live)."""
    name = image_field.name
    image_field.open("rb")
    data = image_field.read()
    digest = hashlib.sha256(data).hexdigest()[:16]
    stem = PurePosixPath(name).stem[:60]
    result = {"source": name, "digest": digest, "formats": {fmt: [] for fmt in FORMATS}}
    with Image.open(io.BytesIO(data)) as original:
        original = ImageOps.exif_transpose(original).convert("RGB")
        widths = [w for w in WIDTHS if w < original.width] + [min(original.width, WIDTHS[-1])]
        for width in sorted(set(widths)):
            height = round(original.height * width / original.width)
            resized = original.resize((width, height), Image.Resampling.LANCZOS)
            for fmt, (pil_format, options) in FORMATS.items():
                buffer = io.BytesIO()
                resized.save(buffer, format=pil_format, optimize=True, **options)
                path = f"renditions/{digest}/{stem}-{width}.{fmt}"
                if not default_storage.exists(path):
                    path = default_storage.save(path, ContentFile(buffer.getvalue()))
                result["formats"][fmt].append(
                    [width, height, default_storage.url(path), buffer.tell()]
                )
    return result
