"""Sub-command modules; each exposes `register(subparsers, groups)`.

`groups` holds shared command groups (e.g. `eval`) so several modules can add to one.
"""

from secondbrain_core.app.commands import db, demo, eval_retrieval, eval_summarize, ingest, search, serve

COMMAND_MODULES = [ingest, db, demo, eval_retrieval, eval_summarize, serve, search]
