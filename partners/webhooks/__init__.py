"""Partner webhooks: a partner key's endpoints get a signed JSON POST when an article is
published, updated, withdrawn or deleted, instead of polling /api/v1/changes/.

Each delivery is a row (WebhookDelivery) written in the transaction of the change it announces;
a worker sends it once that transaction commits (partners.tasks.deliver_webhook). Failures are
tried again with exponential backoff for more than a day (RETRY_DELAYS); a delivery still failing
then pauses its endpoint, with the reason for staff. Endpoints must resolve to public addresses
(no loopback, private or link-local targets: server-side request forgery), redirects are not
followed, and a slow receiver times out in seconds.

The parts: `addresses` (which hosts may be reached), `signing` (secrets and the signature
header), `client` (one attempt over HTTP), `retries` (the schedule), `events` (which deliveries a
change makes, and attempting them). Endpoints and deliveries are partners.models.
"""

EVENTS = ["published", "updated", "withdrawn", "deleted"]
