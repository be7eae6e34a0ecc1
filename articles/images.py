"""Hero image uploads: only real JPEG, PNG or WebP images within size and pixel limits."""

import re

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Markup hidden in an image (a comment chunk, bytes after its end) makes a polyglot that a
# browser or another site could be tricked into reading as HTML or script. Real photographs
# don't carry these byte sequences.
MARKUP = re.compile(
    rb"<(?:script|html|body|head|svg|iframe|object|embed|meta|a\s|img\s|\?php|!doctype)|javascript:",
    re.IGNORECASE,
)


# What the media store raises when it can't be reached or refuses a write: the local disk's
# errors, or an object store's (django-storages' S3 backend goes through botocore).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
STORAGE_UNREACHABLE = (
    "The image store can't be reached right now, so nothing was saved. Try again in a moment; "
    "if it goes on, tell the site's operator."
)


def media_storage_reachable() -> bool:
    """Whether the media store answers, asked before an upload is written."""
    try:
        default_storage.exists("heroes/.reachable")
    except STORAGE_ERRORS:
        return False
    return True


def validate_hero_image(file) -> None:
    if getattr(file, "_committed", False):
        return  # already stored: it was checked when it was uploaded
    if file.size == 0:
        raise ValidationError("The file is empty.")
    if file.size > MAX_BYTES:
        raise ValidationError(f"The image is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        if MARKUP.search(file.read()):
            raise ValidationError("This image also carries HTML or script; upload a clean image.")
        file.seek(0)
        with Image.open(file) as image:
            # Check dimensions from the header before decoding anything: a decompression
            # bomb is refused without being inflated.
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    f"The image has {image.width}×{image.height} pixels; "
                    f"at most {MAX_PIXELS // 1_000_000} megapixels are accepted."
                )
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Upload a JPEG, PNG or WebP image.")
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError("This file is not a valid JPEG, PNG or WebP image.") from None
    finally:
        file.seek(position)
