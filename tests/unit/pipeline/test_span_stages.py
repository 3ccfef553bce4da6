"""pipeline.span_stages in the production DAG (built and compiled, not run): with data in spans,
ExampleGen's RangeConfig, the window Transform reads, and DriftCheck before the Trainer."""
import json

import pytest
from tfx.dsl.compiler import compiler
from tfx.proto import range_config_pb2
from tfx.utils import proto_utils

from components.training_config import training_config
from data.dataset import DataSource
from pipeline import configs, node_ids

SPANS = DataSource("spans", "/data/spans")


def build(tmp_path, source=SPANS, **kwargs):
    from pipeline import production

    config = configs.PipelineConfig(pipeline_root=str(tmp_path / "root"), metadata_path=str(tmp_path / "m.sqlite"),
                                    **kwargs)
    return {c.id: c for c in production.create_pipeline(config, source).components}, config


def ir_nodes(tmp_path, **kwargs):
    from pipeline import production

    config = configs.PipelineConfig(pipeline_root=str(tmp_path / "root"), metadata_path=str(tmp_path / "m.sqlite"),
                                    **kwargs)
    ir = compiler.Compiler().compile(production.create_pipeline(config, SPANS))
    return {n.pipeline_node.node_info.id: n.pipeline_node for n in ir.nodes}


def test_window_and_drift_check_before_the_trainer(tmp_path):
    nodes = ir_nodes(tmp_path, window=3, drift_action="block", drift_check_actions=(("length", "warn"),))
    drift = nodes[node_ids.DRIFT_CHECK]
    assert node_ids.DRIFT_CHECK in nodes[node_ids.TRAINER].upstream_nodes  # the Trainer waits for it
    inputs = drift.inputs.inputs
    assert inputs["baseline_examples"].min_count == 0 and inputs["baseline_examples"].input_graph_ref.graph_id
    assert inputs["examples"].min_count == 1
    assert set(drift.upstream_nodes) >= {node_ids.EXAMPLE_GEN, node_ids.DRIFT_MODEL_RESOLVER}
    action = drift.parameters.parameters["drift_action"].field_value.string_value
    assert json.loads(action) == {"*": "block", "length": "warn"}
    assert drift.parameters.parameters["code_version"].field_value.string_value  # in the cache key
    assert drift.parameters.parameters["reference_from_model"].field_value.int_value == 0  # the resolved spans
    # Transform transforms this run's span alone, with the window key in its custom_config; the
    # Trainer reads the window: a resolver function over every Transform output, at least one span
    transform = nodes[node_ids.TRANSFORM]
    assert not transform.inputs.inputs["examples"].input_graph_ref.graph_id
    assert transform.inputs.inputs["examples"].channels[0].producer_node_query.id == node_ids.EXAMPLE_GEN
    key = json.loads(transform.parameters.parameters["custom_config"].field_value.string_value)["window_key"]
    examples = nodes[node_ids.TRAINER].inputs.inputs["examples"]
    assert examples.input_graph_ref.graph_id and examples.min_count == 1
    graph = nodes[node_ids.TRAINER].inputs.input_graphs[examples.input_graph_ref.graph_id]
    assert key in str(graph) and "LatestSpan" in str(graph)
    # the base model's resolver reads the same window, after this run's Transform (nothing else
    # orders them: it resolved the window without this run's span)
    base = nodes[node_ids.BASE_MODEL_RESOLVER]
    assert node_ids.TRANSFORM in base.upstream_nodes and node_ids.BASE_MODEL_RESOLVER in nodes[node_ids.TRAINER].upstream_nodes
    # a preprocessing with an analyser (an n-gram vocabulary): Transform reads the window itself
    vocabulary = training_config(head="wide", ngram_index="vocabulary")
    nodes = ir_nodes(tmp_path / "vocabulary", window=3, span=5, training=vocabulary)
    examples = nodes[node_ids.TRANSFORM].inputs.inputs["examples"]
    assert examples.input_graph_ref.graph_id and examples.min_count == 1
    assert "window_key" not in nodes[node_ids.TRANSFORM].parameters.parameters["custom_config"].field_value.string_value
    assert not nodes[node_ids.TRAINER].inputs.inputs["examples"].input_graph_ref.graph_id


def test_window_key_follows_the_preprocessing(tmp_path):
    """Transformed spans join a window only with the same preprocessing: another n-gram size
    (or code version, schema, splits) is another key."""
    def key(**training):
        nodes, _ = build(tmp_path, window=3, training=training_config(**training) if training else None)
        return json.loads(nodes[node_ids.TRANSFORM].exec_properties["custom_config"])["window_key"]

    assert key() == key()
    assert key(head="wide", ngram_size=2) != key(head="wide", ngram_size=3)


def test_span_range_config_and_one_dataset_unchanged(tmp_path):
    nodes, _ = build(tmp_path, span=4)
    gen = nodes[node_ids.EXAMPLE_GEN].exec_properties
    range_config = proto_utils.json_to_proto(gen["range_config"], range_config_pb2.RangeConfig())
    assert (range_config.static_range.start_span_number, range_config.static_range.end_span_number) == (4, 4)
    assert {s["pattern"] for s in json.loads(gen["input_config"])["splits"]} == {"span-{SPAN}/*"}
    # one archive: no range config, no drift check, Transform reads ExampleGen's output directly
    nodes, _ = build(tmp_path / "one", DataSource("archive", "/data/aclImdb_v1.tar.gz"), window=3)
    assert not nodes[node_ids.EXAMPLE_GEN].exec_properties.get("range_config")
    assert node_ids.DRIFT_CHECK not in nodes
    assert nodes[node_ids.TRANSFORM].inputs["examples"] is nodes[node_ids.EXAMPLE_GEN].outputs["examples"]


@pytest.mark.parametrize("values, expected", [
    ([], ("warn", ())), (["block"], ("block", ())), (["block", "length=warn"], ("block", (("length", "warn"),))),
])
def test_drift_actions(values, expected):
    from app.span_runs import drift_actions

    assert drift_actions(values) == expected


@pytest.mark.parametrize("value", ["stop", "=block", "nosuch=block"])
def test_bad_drift_actions(value):
    from app.span_runs import drift_actions

    with pytest.raises(ValueError, match=f"--drift-action {value}"):
        drift_actions([value])


@pytest.mark.parametrize("values, message", [
    (["length=block", "length=warn"], "--drift-action length=warn: check 'length' is given twice"),
    (["block", "warn"], "--drift-action warn: the action for every check is given twice"),
    (["length=block,rating=warn"], "one CHECK=ACTION per flag"),
])
def test_drift_actions_given_twice_or_in_one_flag(values, message):
    """Not the last one winning without a word."""
    from app.span_runs import drift_actions

    with pytest.raises(ValueError, match=message):
        drift_actions(values)
