"""DriftCheck: the newest span against the previous window (and the model in service's scores),
before the Trainer. Writes a DriftReport (drift.json); a fired check whose action is "block"
stops the run (DriftBlockedError) after drift.json is written."""
from typing import List

from tfx.dsl.component.experimental.annotations import InputArtifact, OutputArtifact, Parameter
from tfx.dsl.component.experimental.decorators import component
from tfx.types import standard_artifacts

from components.drift_check.actions import DEFAULT
from components.drift_check.artifact import DriftReport


@component
def DriftCheck(examples: InputArtifact[standard_artifacts.Examples],
               drift: OutputArtifact[DriftReport],
               baseline_examples: InputArtifact[List[standard_artifacts.Examples]] = None,
               model: InputArtifact[standard_artifacts.Model] = None,
               drift_action: Parameter[str] = DEFAULT,
               reference_from_model: Parameter[int] = 0,
               code_version: Parameter[str] = "") -> None:
    """Compares `examples` (train+eval) with `baseline_examples` (train+eval; none: a first
    span, nothing to compare with), or with `reference_from_model` (a pipeline compiled for
    Kubeflow, which resolves no spans) with the training data `model` records; with `model`,
    also the model's scores on the reference's eval split against its scores on the new span.
    `drift_action`: JSON, {"*": "warn"} or per check ({"length": "block", ...}).
    `code_version`: the checks' code fingerprint, part of the cache key only (TFX's key has no
    source code: changed checks would come from the cache)."""
    from tfx.utils import path_utils

    del code_version

    from components.drift_check import executor

    model_dir = (path_utils.serving_model_path(model.uri, path_utils.is_old_model_artifact(model))
                 if model is not None else None)
    try:
        result = executor.run(examples, list(baseline_examples or []), model_dir, drift_action, drift.uri,
                              reference_from_model=bool(reference_from_model))
    finally:
        _record(drift)
    del result


def _record(drift) -> None:
    """drift.json's verdict as the artifact's custom properties (when drift.json was written)."""
    import json
    import os

    from components.drift_check import DRIFT_FILE
    from components.paths import read_if_exists

    written = read_if_exists(os.path.join(drift.uri, DRIFT_FILE))  # gs:// on a cluster
    if written is not None:
        found = json.loads(written)
        drift.set_int_custom_property("detected", int(found["detected"]))
        drift.set_int_custom_property("blocked", int(found.get("blocked", False)))
        drift.set_string_custom_property("one_line", found.get("one_line", ""))
