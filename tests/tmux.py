"""Drive the installed `surveydesk` in a real terminal: tmux send-keys in, capture-pane out."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.requires import needs

SURVEYDESK = Path(sys.executable).with_name("surveydesk")
needs_tmux = needs(
    shutil.which("tmux") is not None and SURVEYDESK.exists(),
    "needs tmux (.ci/run installs it) and the installed surveydesk command",
)


class Terminal:
    def __init__(self, args: list[str], *, width: int, height: int, cwd: Path, env: dict[str, str] | None = None):
        self.socket = f"surveydesk-test-{os.getpid()}-{time.monotonic_ns()}"
        self.name = "main"
        environment = {**os.environ, "TERM": "xterm-256color", **(env or {})}
        command = " ".join(shlex.quote(a) for a in [str(SURVEYDESK), *args])
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), "-c", str(cwd),
                   command, env=environment)
        # Textual and tmux both wait to tell Esc from a sequence; keep tmux's wait short.
        self._tmux("set-option", "-s", "escape-time", "10")

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=env,
                                timeout=30)
        if result.returncode != 0 and args[0] != "kill-server":
            raise RuntimeError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self._tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", self.name],
                              capture_output=True).returncode == 0

    def pid(self) -> int:
        return int(self._tmux("list-panes", "-t", self.name, "-F", "#{pane_pid}").split()[0])

    def app_pid(self) -> int:
        """The python process running surveydesk (tmux may have started a shell in between)."""
        pid = self.pid()
        for _ in range(3):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if any(b"python" in part for part in cmdline[:1]) and any(b"surveydesk" in p for p in cmdline):
                return pid
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            if not children:
                break
            pid = int(children[0])
        raise AssertionError(f"no python surveydesk process under tmux pane pid {self.pid()}")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear within {timeout}s; the screen shows:\n{screen}")

    def wait_closed(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return
            time.sleep(0.1)
        raise AssertionError(f"the app did not exit; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        self._tmux("kill-server")
