"""One attempt of a delivery over HTTP: to the address just checked, no redirects, short timeouts."""

import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import urllib3

from partners.webhooks.addresses import RefusedAddress, public_addresses
from partners.webhooks.signing import SIGNATURE_HEADER, sign

if TYPE_CHECKING:
    from partners.models import WebhookDelivery

CONNECT_SECONDS, READ_SECONDS = 3, 5


def post(delivery: "WebhookDelivery") -> tuple[int | None, int, str]:
    """Send one attempt: (response code or None, latency in ms, error or "")."""
    url = urlsplit(delivery.endpoint.url)
    port = url.port or (443 if url.scheme == "https" else 80)
    body = delivery.body()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Newsroom-Webhooks/1",
        "Host": url.netloc,
        "Newsroom-Event": delivery.event,
        "Newsroom-Delivery": str(delivery.idempotency_id),
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, timestamp, body),
    }
    started = time.monotonic()
    try:
        # Connect to the address just checked, not to whatever the name resolves to next.
        address = public_addresses(url.hostname, port)[0]
        timeout = urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS)
        if url.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                server_hostname=url.hostname,
                assert_hostname=url.hostname,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        with pool:
            response = pool.urlopen(
                "POST",
                (url.path or "/") + (f"?{url.query}" if url.query else ""),
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
            )
            response.drain_conn()
    except RefusedAddress as refused:
        return None, elapsed_ms(started), str(refused)
    except urllib3.exceptions.TimeoutError:
        return None, elapsed_ms(started), f"No answer within {READ_SECONDS} s (timed out)."
    except urllib3.exceptions.HTTPError as error:
        return None, elapsed_ms(started), f"Could not connect: {error}"
    latency = elapsed_ms(started)
    if 300 <= response.status < 400:
        where = response.headers.get("Location", "?")
        return response.status, latency, f"Redirect to {where} not followed."
    if response.status >= 400:
        return response.status, latency, f"The receiver answered HTTP {response.status}."
    return response.status, latency, ""


def elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
