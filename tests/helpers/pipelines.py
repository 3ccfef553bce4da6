"""Small pipeline runs for tests: a config for a generated corpus and the components a run has."""
from __future__ import annotations

from pipeline import node_ids

# Every node of a production run (pipeline/production.py).
PRODUCTION_COMPONENTS = {node_ids.EXAMPLE_GEN, node_ids.STATISTICS_GEN, node_ids.SCHEMA_GEN,
                         node_ids.EXAMPLE_VALIDATOR, node_ids.ANOMALIES_GATE, node_ids.TRANSFORM, node_ids.TRAINER,
                         node_ids.BASELINE_RESOLVER, node_ids.EVALUATOR, node_ids.INFRA_VALIDATOR,
                         node_ids.PUSHER, node_ids.BASE_MODEL_RESOLVER}


def small_config(tmp_path, data: str, module: str):
    """A PipelineConfig for a generated corpus: a tiny module and a short schedule, everything
    (root, store, serving directory) under tmp_path."""
    from components.training_config import TrainingConfig
    from pipeline import configs

    return configs.PipelineConfig(
        data=data,
        pipeline_root=str(tmp_path / "root"),
        metadata_path=str(tmp_path / "metadata.sqlite"),
        serving_dir=str(tmp_path / "serving"),
        eval_percent=20,
        accuracy_lower_bound=0.8,
        training=TrainingConfig(module=module, hidden_units=(16,), optimizer="adam", learning_rate=0.01,
                                loss_reduction="mean", batch_size=32, train_steps=60, evaluations=2,
                                shuffle_buffer_size=1000),
    )
