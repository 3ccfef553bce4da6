"""TFX's private orchestration API as pipeline/tfx_private.py uses it: a TFX upgrade that changes
it fails here with one line naming the hook."""
import pytest

from components.private_api import changed
from pipeline import tfx_private


def test_tfx_orchestration_private_hooks_are_as_used():
    problems = changed(tfx_private.HOOKS)
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


def test_an_exec_property_added_after_construction_is_in_the_compiled_node(tmp_path):
    from tfx.components.schema_gen.import_schema_gen.component import ImportSchemaGen
    from tfx.dsl.compiler import compiler
    from tfx.orchestration import pipeline as tfx_pipeline

    schema = ImportSchemaGen(schema_file=str(tmp_path / "schema.pbtxt"))
    tfx_private.add_exec_property(schema, "schema_fingerprint", "abc")
    ir = compiler.Compiler().compile(tfx_pipeline.Pipeline(pipeline_name="p", pipeline_root=str(tmp_path),
                                                           components=[schema]))
    [node] = ir.nodes
    assert node.pipeline_node.parameters.parameters["schema_fingerprint"].field_value.string_value == "abc"


def test_the_runner_logging_is_swapped_and_restored():
    from tfx.orchestration.local import local_dag_runner

    original = tfx_private.runner_logging(local_dag_runner)
    tfx_private.set_runner_logging(local_dag_runner, "stand-in")
    try:
        assert local_dag_runner.logging == "stand-in"
    finally:
        tfx_private.set_runner_logging(local_dag_runner, original)
    assert tfx_private.runner_logging(local_dag_runner) is original
