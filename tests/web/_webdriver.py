"""A tiny W3C WebDriver client for chromedriver, enough to drive headless Chromium.

Only the handful of endpoints the browser test needs: new session, navigate, find element,
type, click, page source. chromedriver is started on a free loopback port and stopped after.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Any

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROME_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage",
]


def chromium_paths() -> tuple[str, str] | None:
    """(chromium, chromedriver) if both are installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Browser:
    """``with Browser(chromium, chromedriver) as b: b.get(url); b.type("#name", "x") ...``"""

    def __init__(self, chromium: str, chromedriver: str) -> None:
        self.chromium = chromium
        self.chromedriver = chromedriver
        self.port = _free_port()
        self.profile = tempfile.TemporaryDirectory(prefix="athanor-chromium-")
        self.proc: subprocess.Popen[bytes] | None = None
        self.session = ""

    def __enter__(self) -> Browser:
        self.proc = subprocess.Popen(
            [self.chromedriver, f"--port={self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if self._call("GET", "/status")["ready"]:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chromedriver did not start within 30 s")
            time.sleep(0.05)
        options = {
            "binary": self.chromium,
            "args": [*CHROME_ARGS, f"--user-data-dir={self.profile.name}"],
        }
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.session:
                self._call("DELETE", f"/session/{self.session}")
        finally:
            if self.proc is not None:
                self.proc.terminate()
                self.proc.wait(10)
            self.profile.cleanup()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = None if body is None else json.dumps(body).encode()
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            reply = json.loads(conn.getresponse().read() or b"{}")
        finally:
            conn.close()
        value = reply.get("value")
        if isinstance(value, dict) and "error" in value:
            raise RuntimeError(f"webdriver {method} {path}: {value['error']}: {value['message']}")
        return value

    def _s(self, path: str) -> str:
        return f"/session/{self.session}{path}"

    def get(self, url: str) -> None:
        self._call("POST", self._s("/url"), {"url": url})

    def find(self, css: str) -> str:
        found = self._call("POST", self._s("/element"), {"using": "css selector", "value": css})
        element: str = found[ELEMENT]
        return element

    def type(self, css: str, text: str) -> None:
        self._call("POST", self._s(f"/element/{self.find(css)}/value"), {"text": text})

    def click(self, css: str) -> None:
        self._call("POST", self._s(f"/element/{self.find(css)}/click"), {})

    def text(self, css: str) -> str:
        value: str = self._call("GET", self._s(f"/element/{self.find(css)}/text"))
        return value

    def wait_for_text(self, css: str, expected: str, timeout: float = 15.0) -> str:
        """The element's text once it equals ``expected`` (a form POST navigates
        asynchronously: right after a click the old page may still be shown)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.text(css)
            except (RuntimeError, KeyError, OSError):
                value = ""
            if value == expected or time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def source(self) -> str:
        value: str = self._call("GET", self._s("/source"))
        return value

    def current_url(self) -> str:
        value: str = self._call("GET", self._s("/url"))
        return value
