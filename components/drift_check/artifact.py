"""DriftReport: DriftCheck's output artifact, a folder holding drift.json (compare_samples' dict)."""
from tfx.types import artifact

DRIFT_FILE = "drift.json"


class DriftReport(artifact.Artifact):
    """The drift checks of a span against the previous data: <uri>/drift.json."""

    TYPE_NAME = "DriftReport"
