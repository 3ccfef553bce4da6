"""pipeline.production and pipeline.experiment: two DAGs from the same stages (built, not run)."""
import json

import pytest

from components.training_config import TrainingConfig
from data.dataset import DataSource
from pipeline import configs, fingerprint, node_ids, stages
from tests.helpers.pipelines import PRODUCTION_COMPONENTS

SOURCE = DataSource("archive", "/data/aclImdb_v1.tar.gz")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from pipeline import experiment, production

    tmp = tmp_path_factory.mktemp("dags")
    config = configs.PipelineConfig(pipeline_root=str(tmp / "root"), metadata_path=str(tmp / "m.sqlite"),
                                    training=TrainingConfig(tune=True))
    return config, production.create_pipeline(config, SOURCE), experiment.create_pipeline(config, SOURCE)


def nodes(tfx_pipeline) -> dict:
    return {c.id: c for c in tfx_pipeline.components}


def custom_config(component) -> dict:
    custom = component.exec_properties["custom_config"]
    return json.loads(custom) if isinstance(custom, str) else custom


def test_production_and_experiment_share_the_upstream_stages(built):
    _, production, experiment = built
    assert set(nodes(production)) == PRODUCTION_COMPONENTS | {node_ids.TUNER}
    upstream = {node_ids.EXAMPLE_GEN, node_ids.STATISTICS_GEN, node_ids.SCHEMA_GEN, node_ids.EXAMPLE_VALIDATOR,
                node_ids.ANOMALIES_GATE, node_ids.TRANSFORM}
    assert set(nodes(experiment)) == upstream | set(node_ids.EXPERIMENT_NODES)
    assert production.pipeline_info.pipeline_name == experiment.pipeline_info.pipeline_name
    for node_id in upstream - {node_ids.TRANSFORM}:  # the same definitions: an experiment reuses them
        assert nodes(production)[node_id].exec_properties == nodes(experiment)[node_id].exec_properties
    # Transform differs in the splits it materialises alone (stages.transform_stage)
    prod, exp = (dict(nodes(p)[node_ids.TRANSFORM].exec_properties) for p in (production, experiment))
    assert json.loads(prod.pop("splits_config")) != json.loads(exp.pop("splits_config"))
    assert prod == exp


def test_code_versions_follow_each_executors_imports(built):
    config, production, _ = built
    components = nodes(production)
    schema = (configs.SCHEMA_PATH,)
    expected = {
        node_ids.EXAMPLE_GEN: fingerprint.code_fingerprint("components.example_gen.executor", files=schema),
        node_ids.TRANSFORM: fingerprint.code_fingerprint("components.transform.preprocessing",
                                                         "components.transform.executor", files=schema),
        node_ids.TRAINER: fingerprint.code_fingerprint("components.trainer.run_fn", files=schema),
        node_ids.TUNER: fingerprint.code_fingerprint("components.tuner.tuner_fn", files=schema),
    }
    for node_id, version in expected.items():
        assert custom_config(components[node_id])["code_version"] == version, node_id
    # TFX's Evaluator takes no custom_config: its own exec property
    expected[node_ids.EVALUATOR] = fingerprint.code_fingerprint("components.evaluator.executor", files=schema)
    assert components[node_ids.EVALUATOR].exec_properties[stages.CODE_VERSION] == expected[node_ids.EVALUATOR]
    assert components[node_ids.EVALUATOR].executor_spec.executor_class.__module__ == "components.evaluator.executor"
    # a @component's parameter
    expected[node_ids.ANOMALIES_GATE] = fingerprint.code_fingerprint("components.anomalies_gate.component", files=schema)
    assert components[node_ids.ANOMALIES_GATE].exec_properties["code_version"] == expected[node_ids.ANOMALIES_GATE]
    assert len(set(expected.values())) == len(expected)
    assert components[node_ids.SCHEMA_GEN].exec_properties[stages.SCHEMA_FINGERPRINT] == \
        fingerprint.file_fingerprint(configs.SCHEMA_PATH)


def test_transform_runs_the_projects_executor_and_its_code_is_in_the_version(tmp_path):
    from pipeline import production

    for training in (TrainingConfig(), TrainingConfig(precompute=True)):
        config = configs.PipelineConfig(pipeline_root=str(tmp_path / "root"), metadata_path=str(tmp_path / "m.sqlite"),
                                        training=training)
        transform = nodes(production.create_pipeline(config, SOURCE))[node_ids.TRANSFORM]
        assert transform.executor_spec.executor_class.__module__ == "components.transform.executor"
        version = custom_config(transform)["code_version"]
        assert version == stages.code_version(config, configs.PREPROCESSING_FN, configs.TRANSFORM_EXECUTOR)
        assert version != stages.code_version(config, configs.PREPROCESSING_FN)


def test_guard_sets_are_a_split_the_evaluator_reads_and_their_content_is_in_the_cache_key(tmp_path):
    from pipeline import production

    guard = tmp_path / "short.jsonl"
    guard.write_text('{"text": "Great.", "label": 1}\n')
    config = configs.PipelineConfig(pipeline_root=str(tmp_path / "root"), metadata_path=str(tmp_path / "m.sqlite"),
                                    guard_sets=(("short", str(guard)),))

    def build():
        return nodes(production.create_pipeline(config, SOURCE))

    components = build()
    gen = components[node_ids.EXAMPLE_GEN]
    assert "guard" in gen.exec_properties["input_config"]
    assert json.loads(components[node_ids.EVALUATOR].exec_properties["example_splits"]) == ["test", "guard"]
    assert "guard" in components[node_ids.EXAMPLE_VALIDATOR].exec_properties["exclude_splits"]
    # Production's Transform materialises what its Trainer reads; the Evaluator reads raw examples.
    assert json.loads(components[node_ids.TRANSFORM].exec_properties["splits_config"]) == {
        "analyze": ["train"], "transform": ["train", "eval"]}
    before = custom_config(gen)
    guard.write_text('{"text": "Great.", "label": 0}\n')  # same path, new content: a new cache key
    after = custom_config(build()[node_ids.EXAMPLE_GEN])
    assert after["guard_sets"] == before["guard_sets"] == [["short", str(guard)]]
    assert after["guard_fingerprint"] != before["guard_fingerprint"]


def test_experiments_evaluate_the_guard_split_from_their_transform(tmp_path):
    """With guard or snippet sets the experiment Evaluator reads Transform's test and guard splits,
    the slices crossed with `dataset`, without thresholds; its Transform is production's but
    materialises those splits too. Without either, the test split alone."""
    from pipeline import experiment, production

    guard = tmp_path / "short.jsonl"
    guard.write_text('{"text": "Great.", "label": 1}\n')

    def build(**kwargs):
        config = configs.PipelineConfig(pipeline_root=str(tmp_path / "root"),
                                        metadata_path=str(tmp_path / "m.sqlite"), **kwargs)
        return nodes(production.create_pipeline(config, SOURCE)), nodes(experiment.create_pipeline(config, SOURCE))

    prod, exp = build(guard_sets=(("short", str(guard)),), snippet_reviews=30)
    assert json.loads(exp[node_ids.TRANSFORM].exec_properties["splits_config"])["transform"] == [
        "train", "eval", "test", "guard"]
    assert json.loads(prod[node_ids.TRANSFORM].exec_properties["splits_config"])["transform"] == ["train", "eval"]
    evaluator = exp[node_ids.EXPERIMENT_EVALUATOR]
    assert json.loads(evaluator.exec_properties["example_splits"]) == ["test", "guard"]
    config = json.loads(evaluator.exec_properties["eval_config"])
    evaluator_config = json.loads(prod[node_ids.EVALUATOR].exec_properties["eval_config"])
    assert config["slicing_specs"] == evaluator_config["slicing_specs"]  # crossed with dataset, as in production
    assert ["dataset"] in [s.get("feature_keys") for s in config["slicing_specs"]]
    assert config["model_specs"][0]["signature_name"] == "serving_transformed"
    assert not any(m.get("per_slice_thresholds") or m.get("threshold")
                   for spec in config["metrics_specs"] for m in spec["metrics"])

    prod, exp = build(snippet_reviews=0)
    assert json.loads(exp[node_ids.TRANSFORM].exec_properties["splits_config"])["transform"] == [
        "train", "eval", "test"]
    assert json.loads(exp[node_ids.EXPERIMENT_EVALUATOR].exec_properties["example_splits"]) == ["test"]
    config = json.loads(exp[node_ids.EXPERIMENT_EVALUATOR].exec_properties["eval_config"])
    evaluator_config = json.loads(prod[node_ids.EVALUATOR].exec_properties["eval_config"])
    assert config["slicing_specs"] == evaluator_config["slicing_specs"]
    assert not any("dataset" in json.dumps(s) for s in config["slicing_specs"])


def test_snippet_sets_are_in_the_guard_split_and_the_cache_key_and_none_without_them(tmp_path):
    """By default (snippet_reviews 1000) ExampleGen writes split `guard` for the snippet sets and
    the Evaluator reads it, gated on `dataset: imdb` alone; with 0 the pipeline is as it was
    before snippet sets (no guard split, the gate on the overall slice)."""
    from components.snippets import SNIPPETS
    from pipeline import production

    def build(**kwargs):
        config = configs.PipelineConfig(pipeline_root=str(tmp_path / "root"),
                                        metadata_path=str(tmp_path / "m.sqlite"), **kwargs)
        return nodes(production.create_pipeline(config, SOURCE))

    def gate_slices(evaluator):
        config = json.loads(evaluator.exec_properties["eval_config"])
        accuracy = next(m for m in config["metrics_specs"][0]["metrics"] if m["class_name"] == "HistogramBinaryAccuracy")
        return [s for t in accuracy["per_slice_thresholds"] for s in t["slicing_specs"]]

    default = build()
    assert configs.PipelineConfig().snippet_reviews == 1000
    gen = custom_config(default[node_ids.EXAMPLE_GEN])
    assert (gen["snippet_reviews"], gen["snippet_sets"]) == (1000, list(SNIPPETS)) and "guard_sets" not in gen
    assert "guard" in default[node_ids.EXAMPLE_GEN].exec_properties["input_config"]
    assert json.loads(default[node_ids.EVALUATOR].exec_properties["example_splits"]) == ["test", "guard"]
    assert "guard" in default[node_ids.EXAMPLE_VALIDATOR].exec_properties["exclude_splits"]
    assert gate_slices(default[node_ids.EVALUATOR]) == [{"feature_values": {"dataset": "imdb"}}]
    assert custom_config(build(snippet_reviews=100)[node_ids.EXAMPLE_GEN])["snippet_reviews"] == 100

    none = build(snippet_reviews=0)
    gen = custom_config(none[node_ids.EXAMPLE_GEN])
    assert not {"snippet_reviews", "snippet_sets", "guard_sets"} & set(gen)
    assert "guard" not in none[node_ids.EXAMPLE_GEN].exec_properties["input_config"]
    assert json.loads(none[node_ids.EVALUATOR].exec_properties["example_splits"]) == ["test"]
    assert "guard" not in none[node_ids.EXAMPLE_VALIDATOR].exec_properties["exclude_splits"]
    assert gate_slices(none[node_ids.EVALUATOR]) == [{}]


def test_a_model_that_learns_from_unlabelled_reviews_gets_split_unsup(tmp_path):
    """--preset best: ExampleGen writes split unsup, StatisticsGen and the ExampleValidator leave it
    out (no labels), Transform transforms it and the Trainer reads it beside train. Not for a
    model that does not use it, unless --include-unsup asks ExampleGen for it alone."""
    from pipeline import experiment, production

    def build(training, **kwargs):
        config = configs.PipelineConfig(pipeline_root=str(tmp_path / "root"), metadata_path=str(tmp_path / "m.sqlite"),
                                        training=training, snippet_reviews=0, **kwargs)
        return nodes(production.create_pipeline(config, SOURCE)), nodes(experiment.create_pipeline(config, SOURCE))

    for dag in build(configs.preset("best")):
        assert custom_config(dag[node_ids.EXAMPLE_GEN])["include_unsup"] is True
        assert json.loads(dag[node_ids.STATISTICS_GEN].exec_properties["exclude_splits"]) == ["unsup"]
        assert json.loads(dag[node_ids.EXAMPLE_VALIDATOR].exec_properties["exclude_splits"]) == ["unsup"]
        assert json.loads(dag[node_ids.TRANSFORM].exec_properties["splits_config"])["transform"][-1] == "unsup"
    trainer = build(configs.preset("best"))[0][node_ids.TRAINER]
    assert json.loads(trainer.exec_properties["train_args"])["splits"] == ["train", "unsup"]

    for training, include_unsup in ((TrainingConfig(), False), (TrainingConfig(), True)):
        prod, _ = build(training, include_unsup=include_unsup)
        assert custom_config(prod[node_ids.EXAMPLE_GEN])["include_unsup"] is include_unsup
        assert "unsup" not in json.loads(prod[node_ids.TRANSFORM].exec_properties["splits_config"])["transform"]
        assert json.loads(prod[node_ids.TRAINER].exec_properties["train_args"])["splits"] == ["train"]
