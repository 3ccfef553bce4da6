"""A gate after ExampleValidator: data with anomalies does not flow on into training."""

import os

from tfx.dsl.component.experimental.annotations import InputArtifact
from tfx.dsl.component.experimental.decorators import component
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


@component
def AnomaliesGate(anomalies: InputArtifact[standard_artifacts.ExampleAnomalies]) -> None:
    """Fails the run, naming each anomaly, when ExampleValidator found any."""
    found = find_anomalies(anomalies)
    if found:
        raise DataAnomaliesError("ExampleValidator found anomalies; fix the data or the schema "
                                 "(pipeline/schema/schema.pbtxt):\n  " + "\n  ".join(found))
