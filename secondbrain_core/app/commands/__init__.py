"""Sub-command modules; each exposes `register(subparsers, groups)`.

`groups` holds shared command groups (e.g. `eval`) so several modules can add to one.
"""

from secondbrain_core.app.commands import db, ingest

COMMAND_MODULES = [ingest, db]
