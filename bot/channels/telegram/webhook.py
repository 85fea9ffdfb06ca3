"""`POST /telegram/webhook`: the secret, then the update stored in the inbox, then 200.

An update is acknowledged only once it is in the database (`bot.inbox`); the row is also its
dedupe record, so a delivery Telegram repeats is answered once. Each stored update is then
handled in the background (one chat at a time, in order) and marked done once its answer was
sent or refused for good; a send that failed for now is retried later. On start, whatever an
earlier process left unfinished is resumed. At most `max_in_flight` updates are being handled at
once: past that the webhook answers 429 with Retry-After, and Telegram keeps the update and sends
it again. If the store itself cannot be written, the update is still answered from memory (the
fallback reply at worst): never silence for someone who may be in danger.

With a token but no Bot API at startup the webhook answers 503 (Telegram delivers again later)
while the Application keeps trying to start in the background.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import itertools
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from telegram import Update
from telegram.error import TelegramError

from bot.channels.telegram.application import build_application
from bot.channels.telegram.chat_order import ChatLocks
from bot.channels.telegram.handlers import NAME
from bot.channels.telegram.sending import is_transient, read_kept_answer, send_kept
from bot.channels.telegram.update_log import log_error
from bot.inbox import ANSWERED, QUEUED, Inbox, InboxRow
from bot.runtime import Runtime

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_START_RETRY_SECONDS = (5, 15, 60, 300)
# How often rows left unfinished (a failed send, a replica that died) are looked for.
SWEEP_SECONDS = 2.0
RETRY_SEND_SECONDS = 10
# Telegram honours Retry-After: come back soon, the work in flight drains in seconds.
BUSY_RETRY_AFTER = "1"
STOP_WAIT_SECONDS = 3.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TelegramWebhook:
    """The route, the inbox's workers and the Application's life, for `mount`."""

    def __init__(self, runtime: Runtime, secret: str, max_in_flight: int) -> None:
        self.runtime = runtime
        self.secret = secret.encode()
        self.inbox = Inbox(runtime.store)
        self.max_in_flight = max_in_flight
        self.application = build_application(
            runtime.settings, runtime, polling=False, on_transient=self._send_failed
        )
        self.running = False
        self._in_flight: set[str] = set()
        self._failed_sends: set[int] = set()
        self._chats = ChatLocks()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the route -------------------------------------------------------------------------------

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return refused(self.runtime, "secret token missing or wrong")
        if not self.running:
            return JSONResponse({"detail": "telegram channel is starting"}, status_code=503)
        if len(self._in_flight) >= self.max_in_flight:
            self.runtime.metrics.ignored.labels(channel=NAME, reason="busy").inc()
            return Response(status_code=429, headers={"Retry-After": BUSY_RETRY_AFTER})
        body = await request.body()
        update = await self.runtime.call(self._parse, body)
        if update is None:
            self.runtime.metrics.ignored.labels(channel=NAME, reason="malformed").inc()
            _log_decision("unknown", "ignored:malformed")
            return Response(status_code=200)
        row = InboxRow(f"telegram:{update.update_id}", QUEUED, body.decode("utf-8", "replace"))
        try:
            new = await self.runtime.call(self.inbox.accept, row.delivery_id, row.payload, _now())
        except Exception as error:  # the store is down: answer from memory rather than not at all
            log_error("telegram_inbox_unavailable", error)
            self._start(row, update, stored=False)
            return Response(status_code=200)
        if not new:
            self.runtime.metrics.duplicates.labels(channel=NAME).inc()
            _log_decision("update", "duplicate")
            return Response(status_code=200)
        self._start(row, update)
        return Response(status_code=200)

    def _parse(self, body: bytes) -> Update | None:
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return None
            return Update.de_json(data, self.application.bot)
        except Exception:  # whatever a broken payload raises, it is ignored, never retried
            return None

    # -- the work --------------------------------------------------------------------------------

    def _start(self, row: InboxRow, update: Update | None, stored: bool = True) -> None:
        self._in_flight.add(row.delivery_id)
        task = asyncio.create_task(self._work(row, update, stored))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _work(self, row: InboxRow, update: Update | None, stored: bool) -> None:
        if row.state == ANSWERED:
            chat_id: int | None = read_kept_answer(row.payload)[0]
        else:
            chat = update.effective_chat if update is not None else None
            chat_id = chat.id if chat is not None else None
        try:
            async with self._chats.hold(chat_id):
                retry = await self._handle(row, update)
            if stored:
                await self._settle(row.delivery_id, retry)
        except Exception as error:  # a bug: the row's claim runs out and it is tried again
            log_error("telegram_work_failed", error)
        finally:
            self._in_flight.discard(row.delivery_id)

    async def _handle(self, row: InboxRow, update: Update | None) -> bool:
        """Answer one row; True when a send failed for now."""
        if row.state == ANSWERED:
            try:
                await send_kept(self.application.bot, row.payload)
            except TelegramError as error:
                log_error("telegram_resend_failed", error)
                return is_transient(error)
            return False
        if update is None:
            return False
        await self.application.process_update(update)
        if update.update_id in self._failed_sends:
            self._failed_sends.discard(update.update_id)
            return True
        return False

    async def _settle(self, delivery_id: str, retry: bool) -> None:
        if retry:
            await self.runtime.call(self.inbox.retry_later, delivery_id, _now(), RETRY_SEND_SECONDS)
        else:
            await self.runtime.call(self.inbox.finish, delivery_id)

    def _send_failed(self, update_id: int) -> None:
        self._failed_sends.add(update_id)

    async def _sweep(self) -> None:
        """Resume what an earlier process left (all of it on SQLite, which one process owns),
        then keep taking rows whose claim ran out."""
        everything = self.inbox.single_process
        while True:
            free = self.max_in_flight - len(self._in_flight)
            if free > 0:
                try:
                    rows = await self.runtime.call(self.inbox.claim_due, _now(), free, everything)
                    everything = False
                except Exception as error:  # the store is down: try again next round
                    log_error("telegram_sweep_failed", error)
                    rows = []
                for row in rows:
                    if row.delivery_id not in self._in_flight:
                        update = (
                            None if row.state == ANSWERED else self._parse(row.payload.encode())
                        )
                        self._start(row, update)
            await asyncio.sleep(SWEEP_SECONDS)

    # -- the Application's life ------------------------------------------------------------------

    async def _start_application(self) -> None:
        try:
            await self.application.initialize()
            await self.application.start()
        except (TelegramError, OSError) as error:
            log.error(
                "telegram_start_failed",
                extra={"event": "telegram_start_failed", "error": type(error).__name__},
            )
            raise
        self.running = True
        log.info("telegram_started", extra={"event": "telegram_started"})

    async def _keep_trying(self) -> None:
        for attempt in itertools.count():
            await asyncio.sleep(_START_RETRY_SECONDS[min(attempt, len(_START_RETRY_SECONDS) - 1)])
            try:
                await self._start_application()
                return
            except (TelegramError, OSError):
                continue

    async def _run(self) -> None:
        if not self.running:
            await self._keep_trying()
        await self._sweep()

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Start with the app; if Telegram cannot be reached, keep trying in the background
        (the webhook answers 503 meanwhile, so Telegram delivers again later)."""
        with suppress(TelegramError, OSError):
            await self._start_application()
        background = asyncio.create_task(self._run())
        try:
            yield
        finally:
            background.cancel()
            # What is still unanswered stays in the inbox for the next start.
            if self._tasks:
                await asyncio.wait(list(self._tasks), timeout=STOP_WAIT_SECONDS)
            for task in list(self._tasks):
                task.cancel()
            if self.running:
                self.running = False
                await self.application.stop()
            await self.application.shutdown()


def _log_decision(kind: str, decision: str) -> None:
    log.info(
        "telegram_update", extra={"event": "telegram_update", "kind": kind, "decision": decision}
    )


def refused(runtime: Runtime, why: str) -> Response:
    runtime.metrics.rejected.labels(channel=NAME).inc()
    log.warning("telegram_refused", extra={"event": "telegram_refused", "reason": why})
    return JSONResponse({"detail": "forbidden"}, status_code=403)
