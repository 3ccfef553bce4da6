"""A client of the model server on the standard library alone (urllib), for callers that should
not import kserve or TensorFlow: the pipeline's canary component, tests, benchmarks.

  wait_ready(url, timeout)     until GET {url}/v1/models/{name} answers ready; the status
  predict(url, texts)          POST {url}/v1/models/{name}:predict -> [{"probability", "label"(, "rating")}]
  infer_v2(url, texts)         POST {url}/v2/models/{name}/infer -> the V2 response
  status(url)                  the model status (served version, refused versions, batching)

`url` is the server's base, e.g. http://127.0.0.1:8080. A 4xx or 5xx answer raises
ServerError with the status and the server's {"error"} message.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Optional

from components.serving.settings import DEFAULT_MODEL_NAME as DEFAULT_MODEL


class ServerError(RuntimeError):
    """The server answered with an error status; .status and .error (its message)."""

    def __init__(self, status: int, error: str, url: str):
        super().__init__(f"{url}: HTTP {status}: {error}")
        self.status = status
        self.error = error


def request(url: str, body: Optional[bytes] = None, timeout: float = 60.0,
            content_type: str = "application/json") -> tuple[int, dict]:
    """(status, decoded JSON body) of a GET (body None) or POST; errors are returned, not raised
    (the tests look at them); connection failures raise OSError."""
    req = urllib.request.Request(url, data=body, headers={"Content-Type": content_type} if body is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"error": raw.decode("utf-8", "replace")}


def _checked(url: str, body: Optional[bytes], timeout: float) -> dict:
    code, answer = request(url, body, timeout)
    if code >= 400:
        error = answer.get("error") if isinstance(answer, dict) else None
        raise ServerError(code, error or json.dumps(answer), url)
    return answer


def predict(url: str, texts: list[str], model: str = DEFAULT_MODEL, timeout: float = 60.0) -> list[dict]:
    body = json.dumps({"instances": list(texts)}).encode()
    return _checked(f"{url}/v1/models/{model}:predict", body, timeout)["predictions"]


def infer_v2(url: str, texts: list[str], model: str = DEFAULT_MODEL, timeout: float = 60.0) -> dict:
    body = json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(texts)],
                                   "data": list(texts)}]}).encode()
    return _checked(f"{url}/v2/models/{model}/infer", body, timeout)


def status(url: str, model: str = DEFAULT_MODEL, timeout: float = 10.0) -> dict:
    """The model status; answered (with "ready": false) also while no version is served."""
    code, answer = request(f"{url}/v1/models/{model}", timeout=timeout)
    if code >= 400 and not (code == 503 and isinstance(answer, dict) and "ready" in answer):
        raise ServerError(code, answer.get("error", json.dumps(answer)) if isinstance(answer, dict) else str(answer),
                          f"{url}/v1/models/{model}")
    return answer


def wait_ready(url: str, timeout: float, model: str = DEFAULT_MODEL, process=None) -> dict:
    """Polls until the model is ready; returns its status. TimeoutError after `timeout` s; with
    `process` (a subprocess.Popen of the server), RuntimeError as soon as it has exited."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before it was ready")
        try:
            answer = status(url, model, timeout=5.0)
            if answer.get("ready"):
                return answer
            last = f"not ready: {answer.get('refused') or 'no version served yet'}"
        except (OSError, ServerError) as e:
            last = str(e)
        time.sleep(0.2)
    raise TimeoutError(f"{url}: model {model} not ready after {timeout:g} s ({last})")
