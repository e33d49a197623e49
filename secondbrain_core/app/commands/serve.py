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
    parser.add_argument("--host", default=None, help="interface (default: SECONDBRAIN_ENDPOINT_HOST)")
    parser.add_argument("--model", default="champion", help="base, champion (MLflow alias) or a model folder")


def _serve(args, settings: Settings) -> CommandResult:
    from secondbrain_core.llm.models import resolve_model
    from secondbrain_core.llm.server import serve  # fastapi and torch load only for this command

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    port = args.port or settings.endpoint_port
    serve(settings, resolve_model(settings, args.model), port=port, host=args.host)
    return CommandResult(data={"stopped": True, "port": port}, text="endpoint stopped")
