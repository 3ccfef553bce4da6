"""Running TFMA's own evaluator and the batched one (components/evaluator/executor.py) on the
same examples, and comparing what they wrote (the tests and scripts/benchmark_batched_evaluator.py)."""
from __future__ import annotations

import glob
import os
import time

from google.protobuf import json_format

VARIANTS = ("tfma", "batched")


def read_examples(patterns: list[str], batch_size: int | None = None):
    """`read(pipeline)`: the tf.Examples of the TFRecord files at `patterns` as Arrow record
    batches with TFMA's raw-record column, as TFX's Evaluator reads them."""
    def read(pipeline):
        import apache_beam as beam
        import tensorflow_model_analysis as tfma
        from tfx_bsl.tfxio.tf_example_record import TFExampleRecord

        return [pipeline | f"Read[{i}]" >> TFExampleRecord(pattern, raw_record_column_name=tfma.ARROW_INPUT_COLUMN)
                .BeamSource(batch_size=batch_size) for i, pattern in enumerate(patterns)] | beam.Flatten()

    return read


def _run(transform, read, eval_config, eval_shared_model, output: str, pipeline_args=()):
    """`transform` (an ExtractEvaluateAndWriteResults) over `read`'s examples into `output`, with
    numpy printing as in the executor: (wall seconds, the Beam pipeline's result)."""
    import apache_beam as beam

    from components.evaluator.executor import abridged_printing

    start = time.time()
    pipeline = beam.Pipeline(argv=list(pipeline_args))
    with abridged_printing():
        _ = read(pipeline) | transform(eval_shared_model=eval_shared_model, eval_config=eval_config,
                                       output_path=output)
        result = pipeline.run()
        result.wait_until_finish()
    return time.time() - start, result


def evaluate(variant: str, read, eval_config, eval_shared_model, output: str, pipeline_args=()) -> float:
    """Runs `variant`'s ExtractEvaluateAndWriteResults over `read`'s examples into `output`; the
    wall time in seconds."""
    import tensorflow_model_analysis as tfma

    from components.evaluator.executor import extract_evaluate_and_write

    transform = {"tfma": tfma.ExtractEvaluateAndWriteResults, "batched": extract_evaluate_and_write}[variant]
    return _run(transform, read, eval_config, eval_shared_model, output, pipeline_args)[0]


def evaluate_counted(read, eval_config, eval_shared_model, output: str, namespace: str,
                     pipeline_args=()) -> tuple[float, dict]:
    """The executor's ExtractEvaluateAndWriteResults over `read`'s examples into `output`: (wall
    seconds, {name: value} of the Beam counters in `namespace`)."""
    from apache_beam.metrics.metric import MetricsFilter

    from components.evaluator.executor import extract_evaluate_and_write

    seconds, result = _run(extract_evaluate_and_write, read, eval_config, eval_shared_model, output, pipeline_args)
    counts: dict = {}
    for counter in result.metrics().query(MetricsFilter().with_namespace(namespace))["counters"]:
        counts[counter.key.metric.name] = counts.get(counter.key.metric.name, 0) + counter.committed
    return seconds, counts


def run_both(read, eval_config, eval_shared_model, output_dir: str) -> dict:
    """{"tfma" | "batched": output path}."""
    outputs = {name: os.path.join(output_dir, name) for name in VARIANTS}
    for name, output in outputs.items():
        evaluate(name, read, eval_config, eval_shared_model, output)
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


def _mismatches(a: dict, b: dict):
    """(what, |x - y| or None when not both numbers) for each place two `written` results differ."""
    for key in set(a) ^ set(b):
        yield f"only in one: {key}", None
    for key in set(a) & set(b):
        for field in set(a[key]) | set(b[key]):
            x, y = a[key].get(field), b[key].get(field)
            if x == y:
                continue
            try:
                yield f"{key} {field}: {x!r} != {y!r}", (abs(float(x) - float(y)), max(abs(float(x)), abs(float(y))))
            except (TypeError, ValueError):
                yield f"{key} {field}: {x!r} != {y!r}", None


def differences(a: dict, b: dict, rel: float = 1e-5, abs_: float = 1e-9) -> list[str]:
    """Where two `written` results differ: keys, fields, or values beyond the tolerances (the
    histograms are summed in another order, and plots hold float32: a bucket's sum of k float32
    predictions moves by up to about k units in the last place, 1.2e-7 each; 1e-6 was crossed once,
    by 1.006e-6, on a plot bucket in the clean-clone CI of 2026-12-05)."""
    return sorted(what for what, gap in _mismatches(a, b) if gap is None or gap[0] > max(abs_, rel * gap[1]))


def largest_difference(a: dict, b: dict) -> tuple[float, list[str]]:
    """(largest absolute difference of numeric values, the differences that are not numeric)."""
    gaps = list(_mismatches(a, b))
    return (max((gap[0] for _, gap in gaps if gap), default=0.0),
            sorted(what for what, gap in gaps if gap is None))
