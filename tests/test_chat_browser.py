"""`secondbrain chat` for real: the command serves the app on a free loopback port, headless
Debian chromium (driven over the Chrome DevTools protocol) asks a question, the answer and a
link to its source appear, and a screenshot is written. Also: the ports and hosts it refuses."""

from __future__ import annotations

import base64
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

from secondbrain_core.app.cli import main
from secondbrain_core.processes import free_port
from secondbrain_core.settings import Settings

QUESTION = "How long do I pull an espresso shot?"
SOURCE_URL = "https://example.test/espresso"
ANSWER_TIMEOUT_S = 180  # the server's first answer loads the embedder and creates the MLflow store


def _wait_for(check, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


class DevTools:
    """The few Chrome DevTools protocol calls the test needs, over one page's websocket."""

    def __init__(self, connection: ClientConnection) -> None:
        self._ws = connection
        self._next_id = 0

    def call(self, method: str, **params) -> dict:
        self._next_id += 1
        self._ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=60))
            if message.get("id") == self._next_id:  # anything else is an event we did not ask for
                assert "error" not in message, message["error"]
                return message["result"]

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")


@pytest.fixture
def chat_url(notes_index: Settings, tmp_path: Path) -> Iterator[str]:
    """`secondbrain chat` on a free port (the test's home comes through the environment)."""
    port = free_port()
    log = (tmp_path / "chat.log").open("w")
    command = [str(Path(sys.executable).with_name("secondbrain")), "chat", "--port", str(port)]
    chat = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _get(f"{url}/_stcore/health") == "ok" or chat.poll() is not None, 60, "the chat server")
        assert chat.poll() is None, (tmp_path / "chat.log").read_text()
        yield url
    finally:
        chat.send_signal(signal.SIGTERM)  # the command stops its Streamlit child and returns
        assert chat.wait(timeout=30) == 0, (tmp_path / "chat.log").read_text()
        log.close()
    assert _get(f"{url}/_stcore/health") is None  # nothing left listening


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    """Headless chromium with a blank page; yields a DevTools client attached to that page."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("chromium is not installed (`make test` installs it: apt-get install chromium)")
    profile = tmp_path / "chromium-profile"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
    command = [binary, *flags, "--window-size=1280,1000", f"--user-data-dir={profile}", "--remote-debugging-port=0"]
    log = (tmp_path / "chromium.log").open("w")
    process = subprocess.Popen([*command, "about:blank"], stdout=log, stderr=subprocess.STDOUT)
    try:
        active = profile / "DevToolsActivePort"  # chromium writes the port it picked here
        _wait_for(lambda: active.exists() and active.read_text().strip(), 60, "chromium's DevTools port")
        port = active.read_text().split()[0]
        targets = _wait_for(lambda: _get(f"http://127.0.0.1:{port}/json/list"), 30, "chromium's targets")
        page = next(t for t in json.loads(targets) if t["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None) as connection:
            yield DevTools(connection)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_a_browser_asks_and_sees_the_answer_and_its_source(chat_url: str, browser: DevTools, tmp_path: Path) -> None:
    browser.call("Page.navigate", url=chat_url)
    box = "document.querySelector('textarea[data-testid=\"stChatInputTextArea\"]')"
    _wait_for(lambda: browser.evaluate(f"!!{box}"), 120, "the chat input")

    browser.evaluate(f"{box}.focus()")
    browser.call("Input.insertText", text=QUESTION)
    for kind in ("keyDown", "keyUp"):
        browser.call(
            "Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13, text="\r"
        )

    reply = "[...document.querySelectorAll('[data-testid=\"stChatMessage\"]')].at(-1)"
    state = f"""(() => {{
        const reply = {reply};
        const link = reply && reply.querySelector('a[href="{SOURCE_URL}"]');
        return reply && link && reply.innerText.includes('Answered in')
            ? {{answer: reply.innerText, link: link.innerText}} : null;
    }})()"""
    shown = _wait_for(lambda: browser.evaluate(state), ANSWER_TIMEOUT_S, "the answer with its source link")
    assert "25 seconds" in shown["answer"] and "[1]" in shown["answer"]
    assert shown["link"] == "Espresso [home]"
    assert QUESTION in browser.evaluate("document.body.innerText")  # the question stays in the conversation

    screenshot = tmp_path / "chat.png"
    screenshot.write_bytes(base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"]))
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")


def test_chat_refuses_a_busy_port_and_an_open_interface(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["chat", "--port", str(port)]) == 2
        assert capsys.readouterr().err == f"error: port {port} on 127.0.0.1: cannot listen there (already in use)\n"
    assert main(["chat", "--port", "0"]) == 2
    assert "port 0" in capsys.readouterr().err
    assert main(["chat", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'0.0.0.0'" in err and "no login" in err
