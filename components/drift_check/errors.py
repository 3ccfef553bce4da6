"""The error that stops a run on drift (exit status 5, app/cli/status.py: DRIFT_BLOCKED)."""


class DriftBlockedError(RuntimeError):
    """A check whose action is "block" fired; the message is one line: which, value vs threshold.
    `drift`: drift.json's dict (TFX removes a failed execution's output folder, drift.json with
    it; `imdb-tfx run` puts this in its summary: app/span_runs.py)."""

    def __init__(self, message: str, drift: dict | None = None):
        super().__init__(message)
        self.drift = drift
