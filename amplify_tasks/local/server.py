"""Entry point of the emulator process: ``python -m amplify_tasks.local.server --port N``
serves moto, our CloudFormation models and the control endpoints on one loopback port.
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType
from typing import Any

from .middleware import ControlMiddleware

DEFAULT_HOST = "127.0.0.1"


def build_app() -> ControlMiddleware:
    """moto's dispatcher with our models registered and patches applied, behind the middleware."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from . import changesets, cloudfront_api, functions, models, patches, previews

    models.install()
    patches.install()
    cloudfront_api.install()
    changesets.install()
    dispatcher = DomainDispatcherApplication(create_backend_app)
    app = ControlMiddleware(
        dispatcher, previews=previews.REGISTRY.listing, resources=models.STORE.listing
    )
    functions.STORE_READS.append(app.record_store_reads)
    return app


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amplify_tasks.local.server")
    parser.add_argument("--port", type=int, required=True, help="port to listen on")
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (loopback)")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    app = build_app()
    server: Any = make_server(
        args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
    )
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"amplify-tasks emulator listening on http://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
