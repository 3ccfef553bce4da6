"""AnomaliesGate: data with anomalies does not flow on into training."""
from tfx.dsl.component.experimental.annotations import InputArtifact, Parameter
from tfx.dsl.component.experimental.decorators import component
from tfx.types import standard_artifacts

from components.anomalies_gate.anomalies import DataAnomaliesError, find_anomalies


@component
def AnomaliesGate(anomalies: InputArtifact[standard_artifacts.ExampleAnomalies],
                  code_version: Parameter[str] = "") -> None:
    """Fails the run, naming each anomaly, when ExampleValidator found any. `code_version`: the
    gate's code fingerprint, part of the cache key only (TFX's key has no source code: a changed
    rule would otherwise come from the cache, the gate passed without running)."""
    del code_version
    found = find_anomalies(anomalies)
    if found:
        raise DataAnomaliesError("ExampleValidator found anomalies; fix the data or the schema "
                                 "(pipeline/schema/schema.pbtxt): " + "; ".join(found))  # one line
