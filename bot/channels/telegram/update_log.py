"""One log line per handled update: its kind and the decision, never ids of people or text."""

from __future__ import annotations

import logging

from telegram import Update

log = logging.getLogger(__name__)

_MEDIA = ("photo", "voice", "audio", "video", "video_note", "document")
_KINDS = (*_MEDIA, "text", "sticker", "location", "venue", "contact", "animation", "poll", "dice")


def update_kind(update: object) -> str:
    """What an update is, for logs and metrics: `message:text`, `edited_message`..."""
    if not isinstance(update, Update):
        return "unknown"
    kind = next((k for k in update.to_dict() if k != "update_id"), "unknown")
    message = update.message
    if kind == "message" and message is not None:
        detail = next((k for k in _KINDS if getattr(message, k, None)), "other")
        return f"message:{detail}"
    return kind


def log_update(update: object, decision: str, topic: str | None = None) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.info(
        "telegram_update",
        extra={
            "event": "telegram_update",
            "update_id": update_id,
            "kind": update_kind(update),
            "decision": decision,
            "topic": topic,
        },
    )


def log_error(event: str, error: Exception) -> None:
    log.info(event, extra={"event": event, "error": type(error).__name__})
