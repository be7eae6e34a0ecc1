"""The subscriber list as CSV, for a move to another mail service."""

import csv

EXPORT_COLUMNS = ["email", "daily", "breaking", "confirmed_at"]


def write_export(subscribers, out) -> int:
    """The list as CSV, for a move to another service: how many rows were written."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    for subscriber in subscribers.order_by("email").iterator():
        writer.writerow(
            [
                subscriber.email,
                int(subscriber.daily),
                int(subscriber.breaking),
                subscriber.confirmed_at.isoformat(),
            ]
        )
        rows += 1
    return rows
