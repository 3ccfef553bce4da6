"""A model server in a subprocess on a free loopback port, for the HTTP tests (no mocks); also
used by tests/e2e/test_serving.py.

`start_server(tmp_path, *flags)` starts `python -m components.serving --host 127.0.0.1 --port 0
FLAGS`, reads the port from the line it prints once it listens, and returns a ServerProcess;
each test module starts one (a module-scoped fixture) and stops it at the end, checking that
SIGTERM stops it cleanly (status 0).
"""
import os
import re
import signal
import subprocess
import sys
import threading

import pytest

from tests.helpers.paths import ROOT

LINE = re.compile(r"^imdb-tfx serve: (ready|listening on)\S*:? (http://127\.0\.0\.1:\d+)/v1/models/")
START_TIMEOUT = 180  # TensorFlow and kserve imports: ~35 s on an idle machine, more when it is shared


class ServerProcess:
    def __init__(self, process: subprocess.Popen, url: str, log_path: str):
        self.process = process
        self.url = url
        self.log_path = log_path

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return -9
        return self.process.returncode


def start_server(tmp_path, *flags: str, command=(sys.executable, "-m", "components.serving")) -> ServerProcess:
    """`command` is the entry point: `python -m components.serving` or `python -m app serve`."""
    log_path = str(tmp_path / "server.log")
    log = open(log_path, "w")
    process = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", "0", *flags], cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"))
    found = {}

    def read():
        for line in process.stdout:
            match = LINE.match(line)
            if match and "url" not in found:
                found["url"] = match.group(2)
                found["ready"].set()
        found["ready"].set()  # stdout closed: the process ended

    found["ready"] = threading.Event()
    threading.Thread(target=read, daemon=True).start()
    found["ready"].wait(START_TIMEOUT)
    if "url" not in found:
        process.kill()
        process.wait()
        pytest.fail(f"the server did not start (status {process.returncode}):\n{open(log_path).read()[-3000:]}")
    return ServerProcess(process, found["url"], log_path)
