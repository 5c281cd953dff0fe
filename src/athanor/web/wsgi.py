"""WSGI middleware that removes the request's scoped session after the response.

WSGI sends the body while the server iterates the application's return value and then calls
its ``close()``; that call, made on the thread that served the request, is the end of the
request. The middleware wraps the iterable so ``close()`` first closes the inner iterable
(framework cleanup) and then removes the session, whatever happened before. An application
that raises before returning an iterable gets its session removed on the way out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

__all__ = ["SessionMiddleware"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SessionRegistry(Protocol):
    """What the middleware needs from a registry: ``scoped_session`` has it."""

    def remove(self) -> None: ...


class SessionMiddleware:
    """Wrap a WSGI app so each request's scoped session is removed when the request ends.

    ``app.wsgi_app = SessionMiddleware(app.wsgi_app, Session)`` (Flask) or
    ``application = SessionMiddleware(application, Session)`` (any WSGI framework).
    """

    def __init__(self, app: WSGIApp, registry: SessionRegistry) -> None:
        self.app = app
        self.registry = registry

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.registry.remove()
            raise
        return _ClosingBody(body, self.registry.remove)


class _ClosingBody:
    """The app's response iterable, plus the session removal when the server closes it."""

    __slots__ = ("_body", "_on_close", "_closed")

    def __init__(self, body: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._body = body
        self._on_close = on_close
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()
