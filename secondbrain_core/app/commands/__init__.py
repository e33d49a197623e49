"""Sub-command modules; each exposes `register(subparsers, groups)`.

Every CLI call, `secondbrain --help` included, imports all of these modules to build the
parser, so the rule that keeps start-up fast is: **a command module imports at its top only
the standard library and the light app helpers** (`commands.common`, `app.output`, `errors`,
and `settings` under `TYPE_CHECKING`). Whatever the command does — the store, the index,
torch, MLflow, Dagster — its handler imports when it runs. `tests/test_cli_startup.py` holds
every module here to that. The pattern, for a new `commands/NAME.py`:

    from secondbrain_core.app.commands.common import add_command
    from secondbrain_core.app.output import CommandResult

    if TYPE_CHECKING:
        from secondbrain_core.settings import Settings


    def register(subparsers, groups) -> None:
        parser = add_command(subparsers, "NAME", "what it does", _run)
        parser.add_argument("question")


    def _run(args, settings: Settings) -> CommandResult:
        from secondbrain_core.agent.assistant import ask  # the command's own weight, paid here

        ...

then add the module to `COMMAND_MODULES`. `groups` holds shared command groups (e.g. `eval`)
so several modules can add to one.
"""

from secondbrain_core.app.commands import (
    ask,
    backup,
    chat,
    crawl,
    db,
    demo,
    eval_retrieval,
    eval_summarize,
    ingest,
    notion_webhook,
    search,
    serve,
)

COMMAND_MODULES = [
    ingest,
    crawl,
    db,
    demo,
    eval_retrieval,
    eval_summarize,
    serve,
    search,
    ask,
    chat,
    backup,
    notion_webhook,
]
