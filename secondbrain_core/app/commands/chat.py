"""`secondbrain chat`: the Streamlit chat (`app/chat.py`) on this machine, in the foreground.

Streamlit runs as a child process with this environment, so the app reads the same settings.
The port is tried here first: a busy or impossible port, or an interface beyond loopback (the
chat has no login), is one line and exit 2, not a Streamlit traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from secondbrain_core.app.commands.common import add_command
from secondbrain_core.app.output import CommandResult
from secondbrain_core.errors import SecondBrainError

if TYPE_CHECKING:
    from secondbrain_core.settings import Settings

CHAT_SCRIPT = Path(__file__).resolve().parent.parent / "chat.py"
DEFAULT_PORT = 8501


def register(subparsers, groups) -> None:
    parser = add_command(subparsers, "chat", "Streamlit chat over your notes (headless; open the URL it prints)", _chat)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--host", default="127.0.0.1", help="a loopback interface (the chat has no login)")


def streamlit_command(host: str, port: int) -> list[str]:
    """The child's command line: headless Streamlit serving the chat script on `host`:`port`."""
    import sys

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(CHAT_SCRIPT),
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no "Deploy" button: the chat is a local app
    ]


def _chat(args, settings: Settings) -> CommandResult:
    import signal
    import subprocess

    from secondbrain_core.llm.bind import is_loopback, listen_socket

    if not is_loopback(args.host):
        raise SecondBrainError(f"host {args.host!r} is reachable beyond this machine and the chat has no login")
    with listen_socket(args.host, args.port, settings):  # only tried: Streamlit binds it itself
        pass
    child = subprocess.Popen(streamlit_command(args.host, args.port))
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())  # stopping us stops the chat
    try:
        code = child.wait()
    except KeyboardInterrupt:  # Ctrl-C reached Streamlit too: let it shut down
        code = child.wait()
    if code not in (0, -signal.SIGTERM):
        raise RuntimeError(f"streamlit exited with status {code}")
    return CommandResult(data={"stopped": True, "port": args.port}, text="chat stopped")
