"""`secondbrain backup PATH` / `secondbrain restore PATH`: the home and its document store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command
from secondbrain_core.app.output import CommandResult

if TYPE_CHECKING:
    from secondbrain_core.ops.backup import BackupSummary
    from secondbrain_core.settings import Settings


def register(subparsers, groups) -> None:
    backup = add_command(
        subparsers,
        "backup",
        "copy the home (index, datasets, models, MLflow) and the document store to a folder",
        _backup,
    )
    backup.add_argument("path", type=Path, help="a new or empty folder")
    restore = add_command(
        subparsers, "restore", "restore a backup folder into SECONDBRAIN_HOME and MONGODB_URI", _restore
    )
    restore.add_argument("path", type=Path, help="a folder written by `secondbrain backup`")
    restore.add_argument("--replace", action="store_true", help="overwrite a home or database that holds data")


def _result(verb: str, summary: BackupSummary) -> CommandResult:
    text = f"{verb} {summary.path}: {summary.pages} pages, {summary.chunks} chunks, {summary.files} files"
    return CommandResult(data=summary.model_dump(), text=text)


def _backup(args, settings: Settings) -> CommandResult:
    from secondbrain_core.ops.backup import backup

    return _result("backed up to", backup(settings, args.path))


def _restore(args, settings: Settings) -> CommandResult:
    from secondbrain_core.ops.backup import restore

    return _result("restored from", restore(settings, args.path, replace=args.replace))
