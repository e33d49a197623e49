"""`secondbrain db status|stop`: the local MongoDB wire server of this home."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command, group
from secondbrain_core.app.output import CommandResult

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings
    from secondbrain_core.stores.local_mongo import ServerState


def register(subparsers, groups) -> None:
    db = group(subparsers, groups, "db", "the local MongoDB wire server of this home")
    add_command(db, "status", "show the local server's URI, pid and whether it runs", _status)
    add_command(db, "stop", "stop the local server (it restarts on next use)", _stop)


def _result(state: ServerState) -> CommandResult:
    word = "running" if state.running else "not running"
    return CommandResult(data=state.model_dump(), text=f"{word} {state.uri} pid={state.pid}".strip())


def _status(args, settings: Settings) -> CommandResult:
    from secondbrain_core.stores import local_mongo

    return _result(local_mongo.status(settings.home))


def _stop(args, settings: Settings) -> CommandResult:
    from secondbrain_core.stores import local_mongo

    return _result(local_mongo.stop(settings.home))
