"""Running TFMA's own evaluator and the batched one (components/evaluator/executor.py) on the
same examples, and comparing what they wrote."""
from __future__ import annotations

import glob
import os

from google.protobuf import json_format


def run_both(read, eval_config, eval_shared_model, output_dir: str) -> dict:
    """{"tfma" | "batched": output path}: `read(pipeline)` gives the examples (Arrow record
    batches, TFMA's raw-record column included)."""
    import apache_beam as beam
    import tensorflow_model_analysis as tfma

    from components.evaluator.executor import extract_evaluate_and_write

    outputs = {}
    for name, transform in (("tfma", tfma.ExtractEvaluateAndWriteResults), ("batched", extract_evaluate_and_write)):
        outputs[name] = os.path.join(output_dir, name)
        with beam.Pipeline() as pipeline:
            _ = read(pipeline) | transform(eval_shared_model=eval_shared_model, eval_config=eval_config,
                                           output_path=outputs[name])
    return outputs


def _flat(message) -> dict:
    out = {}

    def walk(value, key):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}/{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{key}[{i}]")
        else:
            out[key] = value

    walk(json_format.MessageToDict(message), "")
    return out


def written(output: str) -> dict:
    """{("metrics" | "plots", slice such as "dataset:short"): {field path: value}} and
    {("validation", ""): {...}}."""
    import tensorflow_model_analysis as tfma
    from tensorflow_model_analysis.slicer import slicer_lib
    from tensorflow_model_analysis.writers import metrics_plots_and_validations_writer as writer

    out = {}
    for kind, load in (("metrics", writer.load_and_deserialize_metrics), ("plots", writer.load_and_deserialize_plots)):
        for path in glob.glob(os.path.join(output, f"{kind}*")):
            for record in load(path):
                key = slicer_lib.stringify_slice_key(slicer_lib.deserialize_slice_key(record.slice_key))
                out[(kind, key)] = _flat(record)
    validation = tfma.load_validation_result(output)
    validation.ClearField("validation_details")  # slices counted: the same, but in no fixed order
    out[("validation", "")] = _flat(validation)
    return out


def differences(a: dict, b: dict, rel: float = 1e-6, abs_: float = 1e-9) -> list[str]:
    """Where two `written` results differ: keys, or values beyond the tolerances (the
    histograms are summed in another order, and plots hold float32)."""
    problems = [f"only in one: {key}" for key in set(a) ^ set(b)]
    for key in set(a) & set(b):
        for field in set(a[key]) ^ set(b[key]):
            problems.append(f"{key}: field {field} only in one")
        for field in set(a[key]) & set(b[key]):
            x, y = a[key][field], b[key][field]
            if x == y:
                continue
            try:
                x, y = float(x), float(y)
            except (TypeError, ValueError):
                problems.append(f"{key} {field}: {x!r} != {y!r}")
                continue
            if not abs(x - y) <= max(abs_, rel * max(abs(x), abs(y))):
                problems.append(f"{key} {field}: {x!r} != {y!r}")
    return sorted(problems)
