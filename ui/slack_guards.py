"""What keeps the Slack bot from answering twice or too often: event claims and a rate limit.

Slack redelivers an event it thinks we missed (``X-Slack-Retry-Num``: no ack within three
seconds, a 5xx, a dropped socket), and may deliver one message as two events (a mention in a
DM can come as ``app_mention`` and ``message.im``). Either would post a second answer. So the
bot *claims* each message, keyed by channel and timestamp, before it starts: a claim is a
row in the catalog's ``slack_events`` table whose primary key makes the claim atomic across
threads, restarts and several bot processes; an in-memory set in front saves the round trip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from indexes.catalog import slack_events_table

Clock = Callable[[], float]


class EventClaims:
    """First claim of a key wins; later claims within ``ttl_s`` lose (and are dropped)."""

    def __init__(self, engine: Engine | None = None, ttl_s: float = 86_400.0) -> None:
        self._engine = engine
        self._ttl_s = ttl_s
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._claims = 0

    def claim(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            self._forget_older_than(now - self._ttl_s)
            if key in self._seen:
                return False
            self._seen[key] = now
            self._claims += 1
            prune = self._claims % 500 == 0
        return self._claim_in_database(key, prune)

    def _forget_older_than(self, cutoff: float) -> None:
        for key in [k for k, at in self._seen.items() if at < cutoff]:
            del self._seen[key]

    def _claim_in_database(self, key: str, prune: bool) -> bool:
        """The row is the cross-process claim. If the database is down the in-memory claim
        stands: answering once per process beats not answering at all."""
        if self._engine is None:
            return True
        now = datetime.now(UTC)
        try:
            with self._engine.begin() as conn:
                if prune:
                    cutoff = now - timedelta(seconds=self._ttl_s)
                    conn.execute(
                        delete(slack_events_table).where(slack_events_table.c.seen_at < cutoff)
                    )
                conn.execute(insert(slack_events_table).values(key=key[:128], seen_at=now))
        except IntegrityError:
            return False
        except SQLAlchemyError:
            return True
        return True


class RateLimiter:
    """A token bucket per user: ``burst`` questions at once, then ``per_minute`` a minute.

    ``per_minute <= 0`` turns the limit off. The clock is injectable so tests need not wait.
    """

    def __init__(self, per_minute: float, burst: int, clock: Clock = time.monotonic) -> None:
        self._rate_per_s = per_minute / 60.0
        self._burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, updated at)
        self._lock = threading.Lock()

    def take(self, user: str) -> float:
        """0 if ``user`` may ask now (a token is spent), else the seconds until they may."""
        if self._rate_per_s <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, updated = self._buckets.get(user, (float(self._burst), now))
            tokens = min(float(self._burst), tokens + (now - updated) * self._rate_per_s)
            if tokens >= 1.0:
                self._buckets[user] = (tokens - 1.0, now)
                return 0.0
            self._buckets[user] = (tokens, now)
            return (1.0 - tokens) / self._rate_per_s
