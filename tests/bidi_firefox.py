"""A small WebDriver BiDi client that drives Debian's Firefox ESR for the browser tests.

Why not Playwright: Playwright drives Firefox over WebDriver BiDi too, but every new page it opens
sends ``emulation.setMediaFeaturesOverride``, a command Firefox ESR does not know, so it can launch
Debian's Firefox and never open a page in it. Firefox speaks WebDriver BiDi itself (no geckodriver):
started with ``--remote-debugging-port=0`` it prints ``WebDriver BiDi listening on ws://…`` on
stderr, and a websocket to that address + ``/session`` takes the protocol's JSON commands
(https://w3c.github.io/webdriver-bidi/). This module uses the handful the tests need: open a
session, size the viewport, navigate, run a function in the page, take a screenshot, and record
the console's messages and every request the page makes.

Every receive has a timeout, a command that fails raises :class:`BidiError` naming the command and
Firefox's message, and :meth:`Firefox.close` ends the whole process group (Firefox's content
processes included), so a failing test never leaves a browser behind.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FIREFOX = Path("/usr/bin/firefox-esr")
_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")
EVENTS = ["log.entryAdded", "network.beforeRequestSent", "network.responseCompleted"]

# A closed port on this machine: every request that does not go to 127.0.0.1 or localhost (which
# Firefox never sends through a proxy) is sent to it and fails at once, so nothing leaves the machine
# and nothing waits for a network time-out. The request is still seen and recorded by the tests.
_NOWHERE = 9


def profile_prefs(dark: bool) -> dict[str, Any]:
    """The preferences of a test profile: the colour scheme pages see, and no way off the machine."""
    return {
        # what ``prefers-color-scheme`` answers in pages: 0 dark, 1 light
        "layout.css.prefers-color-scheme.content-override": 0 if dark else 1,
        "network.proxy.type": 1,
        "network.proxy.http": "127.0.0.1", "network.proxy.http_port": _NOWHERE,
        "network.proxy.ssl": "127.0.0.1", "network.proxy.ssl_port": _NOWHERE,
        "network.proxy.socks": "127.0.0.1", "network.proxy.socks_port": _NOWHERE,
        "network.proxy.allow_hijacking_localhost": False,
        # no scrollbars that come and go: page widths read the same on every load
        "widget.gtk.overlay-scrollbars.enabled": True,
    }


class BidiError(RuntimeError):
    """A command Firefox refused or did not answer, with the command's name and Firefox's reason."""


class Firefox:
    """One headless Firefox process, one BiDi session and its first tab.

    ``scheme`` is the colour scheme its pages see ("light" or "dark"). ``events`` collects every
    event of :data:`EVENTS` as Firefox sends it (``{"method", "params"}``); the tests clear it
    before a page and read it after.
    """

    def __init__(self, executable: Path = FIREFOX, *, dark: bool = False, timeout: float = 30.0) -> None:
        from websockets.sync.client import connect

        self.timeout = timeout
        self.scheme = "dark" if dark else "light"
        self.events: list[dict] = []
        self._ids = itertools.count(1)
        self._profile = tempfile.TemporaryDirectory(prefix="gp-firefox-")
        profile = Path(self._profile.name)
        lines = (f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in profile_prefs(dark).items())
        prefs = "".join(lines)
        (profile / "user.js").write_text(prefs, encoding="utf-8")
        self._log = profile / "stderr.log"
        with self._log.open("wb") as log:
            # a session of its own: close() ends Firefox and every process it started, and stdout/stderr
            # go to a file, never to a pipe the tests would have to keep draining
            self.process = subprocess.Popen(
                [str(executable), "--headless", "--remote-debugging-port=0", "--no-remote",
                 "--profile", str(profile), "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
            )
        try:
            self._connection = contextlib.ExitStack()
            self._ws = self._connection.enter_context(
                connect(self._address() + "/session", max_size=2**27, open_timeout=timeout))
            self.command("session.new", capabilities={})
            self.command("session.subscribe", events=EVENTS)
            self.context = self.command("browsingContext.getTree")["contexts"][0]["context"]
        except BaseException:
            self.close()
            raise

    def _address(self) -> str:
        """The websocket address Firefox prints once its BiDi server listens."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            found = _LISTENING.search(self._log.read_text(encoding="utf-8", errors="replace"))
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                raise BidiError(f"firefox exited with status {self.process.returncode} before listening: "
                                f"{self._log.read_text(errors='replace')[-1500:]}")
            time.sleep(0.05)
        raise BidiError(f"firefox did not start its WebDriver BiDi server within {self.timeout:.0f} s")

    def command(self, method: str, **params: Any) -> dict:
        """Send one command and return its result; events that arrive meanwhile go to ``events``."""
        number = next(self._ids)
        self._ws.send(json.dumps({"id": number, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise TimeoutError
                message = json.loads(self._ws.recv(timeout=left))
            except TimeoutError:
                raise BidiError(f"{method}: no answer from firefox within {self.timeout:.0f} s") from None
            if message.get("id") == number:
                if message.get("type") == "error":
                    raise BidiError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message["result"]
            if message.get("type") == "event":
                self.events.append({"method": message["method"], "params": message["params"]})

    def set_viewport(self, width: int, height: int) -> None:
        """Size the tab's viewport in CSS pixels (kept across navigations)."""
        self.command("browsingContext.setViewport", context=self.context,
                     viewport={"width": width, "height": height})

    def goto(self, url: str) -> None:
        """Load ``url`` in the tab and return once its load event has fired."""
        self.command("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def call(self, function: str, *json_args: Any) -> Any:
        """Call a JavaScript function (its source, e.g. ``"() => document.title"``) in the page and
        return what it returns, through JSON; a promise is awaited. A thrown error raises BidiError."""
        args = ", ".join(json.dumps(a) for a in json_args)
        wrapper = f"async () => JSON.stringify(await ({function})({args}))"
        done = self.command("script.callFunction", functionDeclaration=wrapper, awaitPromise=True,
                            target={"context": self.context})
        if done["type"] == "exception":
            details = done["exceptionDetails"]
            raise BidiError(f"script.callFunction: {details.get('text')} (line {details.get('lineNumber')})")
        value = done["result"].get("value")
        return None if value is None else json.loads(value)

    def screenshot(self) -> bytes:
        """The tab's viewport as a PNG."""
        shot = self.command("browsingContext.captureScreenshot", context=self.context)
        return base64.b64decode(shot["data"])

    def close(self) -> None:
        """End the session and the whole process group, and remove the profile."""
        connection = getattr(self, "_connection", None)
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._profile.cleanup()

    def __enter__(self) -> Firefox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
