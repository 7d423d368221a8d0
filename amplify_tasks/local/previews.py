"""Preview HTTP servers on loopback ports: one per website bucket (S3 website semantics,
``website``) and one per distribution (CloudFront's handling of a request, ``edge``).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from . import edge
from .s3_objects import REASONS, Response, error_page
from .website import website_response

HOST = "127.0.0.1"

StartResponse = Callable[..., Any]
Responder = Callable[[dict[str, Any]], Response]


def website_responder(bucket: str) -> Responder:
    """The S3 website endpoint of ``bucket``: GET and HEAD only, as S3 answers."""

    def respond(environ: dict[str, Any]) -> Response:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        if method not in {"GET", "HEAD"}:
            return error_page(405, "MethodNotAllowed", f"{method} not allowed")
        return website_response(bucket, str(environ.get("PATH_INFO") or "/"))

    return respond


def _wsgi(respond: Responder) -> Callable[[dict[str, Any], StartResponse], Any]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            status, headers, body = respond(environ)
        except Exception:
            traceback.print_exc()
            status, headers, body = 500, [("Content-Type", "text/plain")], b"emulator error\n"
        headers = [*headers, ("Content-Length", str(len(body)))]
        start_response(f"{status} {REASONS.get(status, 'Error')}", headers)
        head = str(environ.get("REQUEST_METHOD", "GET")).upper() == "HEAD"
        return [b""] if head else [body]

    return app


class PreviewServer:
    """A threaded werkzeug server on a free loopback port, running in a daemon thread."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Any]) -> None:
        from werkzeug.serving import make_server

        self.server: Any = make_server(HOST, 0, app, threaded=True)
        self.port = int(self.server.server_port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class PreviewRegistry:
    """The preview servers running in this process, one per website bucket / distribution."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.servers: dict[tuple[str, str], tuple[PreviewServer, dict[str, Any]]] = {}

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(entry) for _, entry in self.servers.values()]

    def _ensure(self, kind: str, name: str, respond: Responder) -> str:
        with self.lock:
            if (kind, name) not in self.servers:
                server = PreviewServer(_wsgi(respond))
                entry = {
                    "kind": kind,
                    "bucket": name if kind == "website" else None,
                    "distribution_id": name if kind == "distribution" else None,
                    "url": server.url,
                }
                self.servers[(kind, name)] = (server, entry)
            return str(self.servers[(kind, name)][1]["url"])

    def website(self, bucket: str) -> str:
        """Start (or keep) the preview of a website bucket; its URL."""
        return self._ensure("website", bucket, website_responder(bucket))

    def distribution(self, distribution_id: str) -> str:
        """Start (or keep) the preview of a distribution; its URL."""
        return self._ensure(
            "distribution",
            distribution_id,
            lambda environ: edge.respond(distribution_id, environ),
        )

    def remove(self, kind: str, name: str) -> None:
        with self.lock:
            found = self.servers.pop((kind, name), None)
        if found:
            found[0].stop()


REGISTRY = PreviewRegistry()
