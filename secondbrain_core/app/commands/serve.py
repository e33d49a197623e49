"""`secondbrain serve`: the OpenAI-compatible endpoint for the local model, in the foreground."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command
from secondbrain_core.app.output import CommandResult

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings


def register(subparsers, groups) -> None:
    parser = add_command(subparsers, "serve", "OpenAI-compatible endpoint (/v1/chat/completions, streaming)", _serve)
    parser.add_argument("--port", type=int, default=None, help="port (default: SECONDBRAIN_ENDPOINT_PORT, 8000)")
    parser.add_argument(
        "--host",
        default=None,
        help="interface (default: SECONDBRAIN_ENDPOINT_HOST, 127.0.0.1); any other needs SECONDBRAIN_API_KEY",
    )
    parser.add_argument("--model", default="champion", help="base, champion (MLflow alias) or a model folder")


def _serve(args, settings: Settings) -> CommandResult:
    from secondbrain_core.llm.bind import listen_socket
    from secondbrain_core.llm.models import resolve_model
    from secondbrain_core.llm.server import serve  # fastapi and torch load only for this command

    port = settings.endpoint_port if args.port is None else args.port  # 0 is a port to refuse, not "unset"
    # The port first: a busy or impossible port, or an open interface without a key, is one line at once.
    with listen_socket(args.host or settings.endpoint_host, port, settings) as sock:
        ref = resolve_model(settings, args.model)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        serve(settings, ref, sock)
    return CommandResult(data={"stopped": True, "port": port}, text="endpoint stopped")
