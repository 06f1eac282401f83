"""Security headers: every response is ``nosniff`` and sends no referrer; HTML ones may not be
framed and carry a Content-Security-Policy (the docs pages set their own, ``app.docs``; any
other HTML gets one that allows nothing)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# HTML that did not say what it needs runs nothing and loads nothing.
DEFAULT_HTML_POLICY = (
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in ALWAYS if k not in present]
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.lower().startswith(b"text/html"):
                    if b"content-security-policy" not in present:
                        headers.append((b"content-security-policy", DEFAULT_HTML_POLICY.encode()))
                    if b"x-frame-options" not in present:
                        headers.append((b"x-frame-options", b"DENY"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
