"""AnomaliesGate: data with anomalies does not flow on into training."""
from tfx.dsl.component.experimental.annotations import InputArtifact
from tfx.dsl.component.experimental.decorators import component
from tfx.types import standard_artifacts

from components.anomalies_gate.anomalies import DataAnomaliesError, find_anomalies


@component
def AnomaliesGate(anomalies: InputArtifact[standard_artifacts.ExampleAnomalies]) -> None:
    """Fails the run, naming each anomaly, when ExampleValidator found any."""
    found = find_anomalies(anomalies)
    if found:
        raise DataAnomaliesError("ExampleValidator found anomalies; fix the data or the schema "
                                 "(pipeline/schema/schema.pbtxt):\n  " + "\n  ".join(found))
