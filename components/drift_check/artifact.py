"""DriftReport: DriftCheck's output artifact, a folder holding drift.json (compare_samples' dict)."""
from tfx.types import artifact


class DriftReport(artifact.Artifact):
    """The drift checks of a span against the previous data: <uri>/drift.json."""

    TYPE_NAME = "imdb_tfx.DriftReport"  # <package>.<Name>: the form KubeflowV2DagRunner requires of a custom type
