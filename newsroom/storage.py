"""Uploads on object storage behind the embargo gate.

The bucket stays private: pages, feeds and the API name a file by this site's own /media/
address, whose gate (newsroom.views.media) sends whoever may see it on to a short-lived signed
address in the bucket, and answers 404 otherwise. Readers still fetch the bytes from the bucket
(or the CDN in front of it); only the small redirect goes through the site.
"""

import hashlib
from urllib.parse import urljoin

from django.conf import settings
from django.core.cache import cache
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class GatedS3Storage(S3Storage):
    # Every address of the bucket's own is signed: an object is readable by nobody without one.
    querystring_auth = True

    def url(self, name, parameters=None, expire=None, http_method=None):
        """The gate's address, like FileSystemStorage's: MEDIA_URL + name."""
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))

    def signed_url(self, name: str, *, seconds: int) -> str:
        """An address in the bucket that opens the object for `seconds`."""
        return super().url(name, expire=seconds)

    def shared_signed_url(self, name: str, *, seconds: int, reuse: int) -> str:
        """A signed address (valid for `seconds`) given to every reader for its first `reuse`
        seconds, so browsers and caches keep one copy of the bytes, not one per redirect."""
        digest = hashlib.md5(f"{self.bucket_name}/{name}".encode(), usedforsecurity=False)
        return cache.get_or_set(
            f"media-signed:{digest.hexdigest()}",
            lambda: self.signed_url(name, seconds=seconds),
            timeout=reuse,
        )
