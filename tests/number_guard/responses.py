"""Every HTTP response a test receives from kojin, looked at for numbers.

Clients: ``httpx.Client.send`` and ``httpx.AsyncClient.send`` are wrapped, which covers
Starlette's ``TestClient`` (an ``httpx.Client``) and every httpx client a test opens against an
app in this process or a server it started. A response read by ``send`` is inspected at once;
a streamed one is inspected piece by piece as the test consumes it, and the rest is judged when
it is closed, so a test that reads part of an endless stream still works.

Servers: uvicorn servers run inside the test process (the browser tests' live site) get their
app wrapped when uvicorn loads it, so pages a browser fetches are inspected on the way out.

A response carrying ``Kojin-Contains-My-Number: authorized`` (the vault's reveal response and
the payment-record export download) may hold numbers in its body; its headers are still
inspected.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any

import httpx
import uvicorn.config

from number_guard import sink
from number_guard.detect import Scanner

AUTHORIZATION_HEADER = "kojin-contains-my-number"
AUTHORIZED = "authorized"
_QUERY_WIDTH = 40

_Headers = Iterable[tuple[str, str]]


def _content_type_charset(content_type: str) -> str | None:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _decompressor(encoding: str) -> Callable[[bytes], bytes] | None:
    encoding = encoding.strip().lower()
    if encoding in {"", "identity"}:
        return lambda data: data
    if encoding in {"gzip", "x-gzip", "deflate"}:
        inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)
        return inflate.decompress
    return None  # br, zstd as raw stream pieces: not undone (kojin's apps do not compress)


class BodyWatch:
    """Inspects one response: headers at once, the body as it arrives."""

    def __init__(self, where: str, headers: _Headers) -> None:
        self.where = where
        lowered = [(name.lower(), value) for name, value in headers]
        fields = dict(lowered)
        self.authorized = fields.get(AUTHORIZATION_HEADER, "").strip().lower() == AUTHORIZED
        sink.inspect("http", f"{where} headers", "\n".join(f"{n}: {v}" for n, v in lowered))
        charset = _content_type_charset(fields.get("content-type", "")) or "utf-8"
        try:
            decoder = codecs.getincrementaldecoder(charset)(errors="replace")
        except LookupError:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._decoder = decoder
        self._decompress = _decompressor(fields.get("content-encoding", ""))
        self._scanner = Scanner()
        self._done = False

    @property
    def watching(self) -> bool:
        return not (self.authorized or self._done)

    def feed(self, data: bytes, *, decoded: bool = False) -> None:
        """Scan `data`; raw bytes of an encoding the guard cannot undo are passed over."""
        if not self.watching or not data:
            return
        if not decoded:
            if self._decompress is None:
                return
            data = self._decompress(data)
        self._scanner.feed(self._decoder.decode(data))

    def close(self) -> None:
        if not self.watching:
            return
        self._done = True
        self._scanner.feed(self._decoder.decode(b"", final=True), final=True)
        sink.add("http", f"{self.where} body", self._scanner.hits)


def _place(method: str, path: str, query: str, side: str) -> str:
    if len(query) > _QUERY_WIDTH:
        query = query[: _QUERY_WIDTH - 1] + "…"
    return f"response to {method} {path}{'?' if query else ''}{query} ({side})"


def _where(request: httpx.Request, side: str) -> str:
    url = request.url
    return _place(request.method, url.path, url.query.decode("ascii", "replace"), side)


def _inspect_read(response: httpx.Response, side: str) -> None:
    watch = BodyWatch(_where(response.request, side), response.headers.multi_items())
    try:
        content = response.content
    except httpx.ResponseNotRead:  # a redirect whose body was never read was never seen
        return
    watch.feed(content, decoded=True)
    watch.close()


class _WatchedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, watch: BodyWatch) -> None:
        self._inner = inner
        self._watch = watch

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._watch.feed(chunk)
            yield chunk

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._watch.close()


class _WatchedAsyncStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, watch: BodyWatch) -> None:
        self._inner = inner
        self._watch = watch

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._watch.feed(chunk)
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._watch.close()


def _watch_response(response: httpx.Response, *, streamed: bool, side: str) -> None:
    if not sink.active():
        return
    for earlier in response.history:  # redirects followed on the way
        _inspect_read(earlier, side)
    if not streamed:
        _inspect_read(response, side)
        return
    watch = BodyWatch(_where(response.request, side), response.headers.multi_items())
    if isinstance(response.stream, httpx.SyncByteStream):
        response.stream = _WatchedStream(response.stream, watch)
    elif isinstance(response.stream, httpx.AsyncByteStream):
        response.stream = _WatchedAsyncStream(response.stream, watch)


_original_send = httpx.Client.send
_original_async_send = httpx.AsyncClient.send
_original_load = uvicorn.config.Config.load


def _send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
    response = _original_send(self, request, **kwargs)
    _watch_response(response, streamed=bool(kwargs.get("stream")), side="client")
    return response


async def _async_send(
    self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any
) -> httpx.Response:
    response = await _original_async_send(self, request, **kwargs)
    _watch_response(response, streamed=bool(kwargs.get("stream")), side="async client")
    return response


_Message = dict[str, Any]
_Send = Callable[[_Message], Awaitable[None]]


class GuardedApp:
    """ASGI wrapper that inspects what a live server in this process sends to browsers."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: _Message, receive: Any, send: _Send) -> None:
        if scope["type"] != "http" or not sink.active():
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("ascii", "replace")
        where = _place(scope["method"], scope["path"], query, "live server")
        watch: BodyWatch | None = None

        async def watched(message: _Message) -> None:
            nonlocal watch
            if message["type"] == "http.response.start":
                headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
                ]
                watch = BodyWatch(where, headers)
            elif message["type"] == "http.response.body" and watch is not None:
                watch.feed(message.get("body", b""))
                if not message.get("more_body", False):
                    watch.close()
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            if watch is not None:
                watch.close()  # a body cut short by an error is judged on what was sent


def _load(self: uvicorn.config.Config) -> None:
    _original_load(self)
    if not isinstance(self.loaded_app, GuardedApp):
        self.loaded_app = GuardedApp(self.loaded_app)


def install() -> None:
    """Wrap the httpx clients' send methods and uvicorn's app loading."""
    httpx.Client.send = _send  # type: ignore[method-assign]
    httpx.AsyncClient.send = _async_send  # type: ignore[method-assign]
    uvicorn.config.Config.load = _load  # type: ignore[method-assign]


def uninstall() -> None:
    """Put back what :func:`install` wrapped."""
    httpx.Client.send = _original_send  # type: ignore[method-assign]
    httpx.AsyncClient.send = _original_async_send  # type: ignore[method-assign]
    uvicorn.config.Config.load = _original_load  # type: ignore[method-assign]
