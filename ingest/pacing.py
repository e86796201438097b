"""Good manners towards the servers sources come from: a pause between requests
to the same host, and the wait a server asks for in Retry-After."""
from __future__ import annotations

import time
import urllib.parse
from email.utils import parsedate_to_datetime

# However long a server asks us to wait, we wait at most this long before trying again.
MAX_RETRY_AFTER = 60.0


class HostPacer:
    """Spaces the requests to each host at least `interval` seconds apart."""

    def __init__(self, interval: float):
        self.interval = max(interval, 0.0)
        self._last: dict[str, float] = {}

    def wait(self, url: str) -> float:
        """Sleep until the host of url may be asked again; return how long that was."""
        host = urllib.parse.urlsplit(url).netloc.lower()
        last = self._last.get(host)
        pause = 0.0 if last is None else last + self.interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last[host] = time.monotonic()
        return max(pause, 0.0)


def retry_after(value: str | None, now: float | None = None) -> float:
    """Seconds a Retry-After header asks for (a number or an HTTP date), 0 if none."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return 0.0  # an unreadable header is ignored, not obeyed
    now = time.time() if now is None else now
    return min(max(when - now, 0.0), MAX_RETRY_AFTER)
