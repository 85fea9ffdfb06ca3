"""Request bodies, bounded per route before anything reads them.

`BodyLimit` is pure ASGI: a declared `Content-Length` over the route's limit is answered 413
without reading a byte, and a body sent without one (chunked) is counted as it streams and
refused at the first chunk past the limit. Nothing the app does afterwards (a parser that
catches the error, a handler that answers anyway) can turn that into another answer.

Each limit is what the route really needs, with room to spare:
- `/sms/twilio`: Twilio's form is a few hundred bytes; 1600 characters of Arabic or emoji,
  percent-encoded, are up to ~20 KB, and ten media URLs add ~2 KB. 64 KB (as `bot.channels.sms`
  itself allows).
- `/telegram/webhook`: an update is at most a 4096-character text (up to ~25 KB as JSON
  escapes), its entities, and a replied-to message of the same size. Refusing a real update
  makes Telegram retry it and holds up that chat's queue, so this one is generous: 256 KB.
- `/preview/message`: the preview's own JSON, text up to 2000 characters: 16 KB.
- everything else (health, metrics, admin, unknown paths): no route takes a body: 1 KB.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB = 1024
ROUTE_LIMITS: Mapping[str, int] = {
    "/sms/twilio": 64 * KIB,
    "/telegram/webhook": 256 * KIB,
    "/preview/message": 16 * KIB,
}
DEFAULT_LIMIT = 1 * KIB
TOO_LARGE = b"request body too large\n"


class BodyTooLarge(Exception):
    """Raised from `receive` at the first chunk past the route's limit."""


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        limits: Mapping[str, int] = ROUTE_LIMITS,
        default: int = DEFAULT_LIMIT,
    ) -> None:
        self.app = app
        self.limits = dict(limits)
        self.default = default

    def limit_for(self, path: str) -> int:
        return self.limits.get(path, self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared, chunked = _framing(scope)
        if declared is not None and declared > limit:
            await _refuse(send)
            return
        if declared is not None and not chunked:
            # The server ends the body at the declared length (what follows is the next
            # request), so it cannot grow past the limit: nothing to count.
            await self.app(scope, receive, send)
            return
        received = 0
        too_large = False
        answered = False

        async def counted_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                # Whatever the app does after the error, it gets no more of the body.
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if too_large:
                # An app that caught the error (a parser turning it into 400, say) still
                # answers 413, once.
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await _refuse(send)
                return
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            if not answered:
                await _refuse(send)


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None: not declared), and whether a Transfer-Encoding was
    sent too."""
    declared = None
    chunked = False
    for name, value in scope.get("headers", ()):
        if name == b"content-length" and declared is None:
            text = value.decode("latin-1").strip()
            # The server has already refused a malformed length; anything odd here is refused.
            declared = int(text) if text.isdigit() else 1 << 62
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


async def _refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(TOO_LARGE)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": TOO_LARGE})
