"""Prometheus metrics, one registry per app (so tests and reloads never collide).

Labels are ids and decisions only, from small fixed sets: never a number, chat id or text.
With `--workers N` each worker process counts its own requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.messages = Counter(
            "gfmd_messages",
            "Messages handled, by channel, language answered, language written, topic and decision",
            ["channel", "lang", "lang_written", "topic", "decision"],
            registry=r,
        )
        self.unanswered = Counter(
            "gfmd_unanswered",
            "Messages the matcher could not place",
            ["channel", "lang"],
            registry=r,
        )
        self.duplicates = Counter(
            "gfmd_duplicates", "Duplicate deliveries dropped", ["channel"], registry=r
        )
        self.rejected = Counter(
            "gfmd_rejected_signatures",
            "Webhook calls refused as not genuine",
            ["channel"],
            registry=r,
        )
        self.rate_limited = Counter(
            "gfmd_rate_limited", "Messages over the per-sender limit", ["channel"], registry=r
        )
        self.ignored = Counter(
            "gfmd_ignored_updates",
            "Deliveries ignored (unsupported kinds)",
            ["channel", "reason"],
            registry=r,
        )
        self.latency = Histogram(
            "gfmd_request_seconds",
            "Webhook request latency, by route template",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.content_version = Gauge(
            "gfmd_content_info", "Content version in service", ["version"], registry=r
        )
        self.reloads = Counter("gfmd_content_reloads", "Content reloads", ["result"], registry=r)
        # Each label set's counter, looked up once: `labels()` takes a lock and checks the
        # names. The label sets are the same small fixed ones the registry keeps anyway.
        self._messages: dict[tuple[str, ...], Counter] = {}

    def count_message(
        self, channel: str, lang: str, topic: str, decision: str, lang_written: str = "-"
    ) -> None:
        """One message handled, answered in `lang` and written in `lang_written` ("-": not
        told); a "none" decision is also one the bot could not answer."""
        key = (channel, lang, lang_written, topic, decision)
        counter = self._messages.get(key)
        if counter is None:
            counter = self._messages[key] = self.messages.labels(*key)
        counter.inc()
        if decision == "none":
            self.unanswered.labels(channel, lang).inc()

    def set_content_version(self, version: str) -> None:
        self.content_version.clear()
        self.content_version.labels(version=version).set(1)

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
