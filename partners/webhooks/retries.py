"""How long a failing delivery waits before its next attempt."""

from datetime import timedelta

# After the first attempt: 30 s, 1 min, 2 min, … doubling to 4.3 h, then 6 h three times: the last
# attempt comes 26.5 h after the first (a receiver down for a day still gets everything).
RETRY_DELAYS = [30 * 2**n for n in range(10)] + [6 * 3600] * 3


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed attempts; None once retries are over."""
    if attempts > len(RETRY_DELAYS):
        return None
    return timedelta(seconds=min(RETRY_DELAYS[attempts - 1], 6 * 3600))
