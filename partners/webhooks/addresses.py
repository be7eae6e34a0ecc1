"""Webhooks go to public addresses only: no loopback, private, link-local or reserved targets
(server-side request forgery), checked when an endpoint is saved and again at each attempt."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


class RefusedAddress(Exception):
    """The endpoint's host resolves to an address webhooks may not reach."""


def public_addresses(host: str, port: int) -> list[str]:
    """The host's addresses, all of them public; RefusedAddress otherwise."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError):
        raise RefusedAddress(f"{host} does not resolve.") from None
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return sorted(found)
    for address in found:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise RefusedAddress(
                f"{host} resolves to {address}, a loopback, private, link-local or reserved "
                "address: webhooks only go to public addresses."
            )
    return sorted(found)


def validate_endpoint_url(url: str) -> None:
    parts = urlsplit(url)
    insecure_allowed = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES  # a local test receiver
    if parts.scheme != "https" and not (insecure_allowed and parts.scheme == "http"):
        raise ValidationError("Use an https:// address.")
    if not parts.hostname:
        raise ValidationError("The address needs a host name.")
    if parts.username or parts.password:
        raise ValidationError("Put no user name or password in the address.")
    try:
        public_addresses(parts.hostname, parts.port or 443)
    except RefusedAddress as refused:
        raise ValidationError(str(refused)) from None


URL_HELP = "An https:// address on the public internet; redirects are not followed."
