"""Reading ExampleValidator's output: every anomaly it found, one line each."""
from __future__ import annotations

import os

from tfx.types import artifact_utils, standard_artifacts


class DataAnomaliesError(RuntimeError):
    """ExampleValidator found anomalies; the message names each one."""


def find_anomalies(anomalies: standard_artifacts.ExampleAnomalies) -> list:
    """'split: feature: description' of every anomaly in an ExampleAnomalies artifact."""
    from tensorflow_metadata.proto.v0 import anomalies_pb2
    from tfx.utils import io_utils

    found = []
    for split in artifact_utils.decode_split_names(anomalies.split_names):
        path = os.path.join(artifact_utils.get_split_uri([anomalies], split), "SchemaDiff.pb")
        result = anomalies_pb2.Anomalies.FromString(io_utils.read_bytes_file(path))
        for feature, info in sorted(result.anomaly_info.items()):
            found.append(f"{split}: {feature}: {info.short_description} ({info.description})")
        if result.HasField("dataset_anomaly_info"):
            info = result.dataset_anomaly_info
            found.append(f"{split}: (dataset): {info.short_description} ({info.description})")
    return found
