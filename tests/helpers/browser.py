"""Headless Chromium driven over the DevTools protocol: loads a page, reports what went wrong.

`open_page(path)` returns the console errors and exceptions, every network request that was
not to a file:// or data: URL, each <img>'s natural size, and a full-page PNG screenshot.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

INSTALL_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts",
                              "install_test_deps.sh")


def find_chromium(install: bool = True) -> str | None:
    """The chromium binary; runs scripts/install_test_deps.sh first if it is missing."""
    if not shutil.which("chromium") and install:
        subprocess.run([INSTALL_SCRIPT], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return shutil.which("chromium")


class _DevTools:
    def __init__(self, url: str):
        import websocket

        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.events: list[dict] = []
        self.last_id = 0

    def call(self, method: str, **params) -> dict:
        self.last_id += 1
        self.ws.send(json.dumps({"id": self.last_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.last_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.time() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(json.loads(self.ws.recv()))


def open_page(path: str, chromium: str = "chromium", width: int = 1200) -> dict:
    """{"errors": [...], "requests": [...], "images": [{alt, width, height}], "screenshot": png bytes}."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:  # chromium may still write it
        process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", f"--window-size={width},1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = os.path.join(profile, "DevToolsActivePort")
            deadline = time.time() + 60
            while not (os.path.exists(port_file) and open(port_file).read().count("\n")):
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError("chromium did not start its DevTools server")
                time.sleep(0.1)
            port = open(port_file).read().split()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
                page = next(t for t in json.load(response) if t["type"] == "page")
            tab = _DevTools(page["webSocketDebuggerUrl"])
            for domain in ("Page", "Runtime", "Log", "Network"):
                tab.call(f"{domain}.enable")
            tab.call("Page.navigate", url="file://" + os.path.abspath(path))
            tab.wait_for("Page.loadEventFired")
            images = tab.call("Runtime.evaluate", returnByValue=True, expression=(
                "[...document.images].map(i => ({alt: i.alt, width: i.naturalWidth, height: i.naturalHeight}))"
            ))["result"]["value"]
            size = tab.call("Page.getLayoutMetrics")["cssContentSize"]
            screenshot = tab.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                  clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        finally:
            process.terminate()
            process.wait(timeout=30)
    errors = [e["params"] for e in tab.events
              if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    requests = [e["params"]["request"]["url"] for e in tab.events if e.get("method") == "Network.requestWillBeSent"
                and not e["params"]["request"]["url"].startswith(("file://", "data:"))]
    return {"errors": errors, "requests": requests, "images": images,
            "screenshot": base64.b64decode(screenshot["data"])}
