"""`secondbrain notion-webhook`: the loopback receiver for Notion webhooks, in the foreground."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command
from secondbrain_core.app.output import CommandResult
from secondbrain_core.errors import SecondBrainError

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings


def register(subparsers, groups) -> None:
    parser = add_command(
        subparsers, "notion-webhook", "receive Notion webhooks on loopback and wake the source sensor", _run
    )
    parser.add_argument("--port", type=int, default=None, help="port (default: SECONDBRAIN_NOTION_WEBHOOK_PORT)")
    parser.add_argument("--host", default="127.0.0.1", help="a loopback interface (put a TLS proxy in front)")


def _run(args, settings: Settings) -> CommandResult:
    import logging

    from secondbrain_core.sources.notion_webhook import PATH, make_server

    port = args.port or settings.notion_webhook_port
    if not port:
        raise SecondBrainError("no port: pass --port or set SECONDBRAIN_NOTION_WEBHOOK_PORT (the sensor reads it too)")
    try:
        server = make_server(settings, args.host, port)
    except OSError as exc:
        raise SecondBrainError(f"cannot listen on {args.host}:{port}: {exc.strerror}") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger(__name__).warning("receiving Notion webhooks on http://%s:%d%s", args.host, port, PATH)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return CommandResult(data={"stopped": True, "port": port}, text="webhook receiver stopped")
