"""`create_pipeline` for an experiment run (`imdb-tfx experiment`, app/experiments/).

The production pipeline's stages up to the ExampleValidator's gate (same pipeline name and
node ids, so they are reused from the cache), a Transform that also materialises the test and
guard splits (one execution, shared by every row with the same features), then the row's own
Tuner and Trainer and an Evaluator without thresholds, under their own node ids
(pipeline/node_ids.py): the model is measured on the test split (and on the guard and snippet
sets, when ExampleGen writes them), never blessed, compared or pushed.
"""
from __future__ import annotations

from tfx.components.evaluator.component import Evaluator
from tfx.orchestration import pipeline as tfx_pipeline

from components.evaluator.eval_config import eval_config
from components.features import GUARD_SPLIT, TEST_SPLIT
from components.example_gen.snippet_sets import NAMES as SNIPPET_SETS
from data.dataset import DataSource
from pipeline import configs, node_ids, stages


def create_pipeline(config: configs.PipelineConfig, source: DataSource,
                    metadata_connection_config=None) -> tfx_pipeline.Pipeline:
    """The experiment pipeline for `config`, reading the aclImdb data at `source`."""
    trained = stages.training_stages(config, source, tuner_id=node_ids.EXPERIMENT_TUNER,
                                     trainer_id=node_ids.EXPERIMENT_TRAINER, for_evaluation=True)
    # Reads Transform's test split (features computed once) through the model's
    # `serving_transformed` signature, and with guard or snippet sets its guard split too, the
    # slices crossed with `dataset` as in the production Evaluator (pipeline/evaluation.py).
    evaluator = Evaluator(
        examples=trained.transform.outputs["transformed_examples"],
        model=trained.trainer.outputs["model"],
        example_splits=[TEST_SPLIT, GUARD_SPLIT] if stages.has_guard_split(config) else [TEST_SPLIT],
        eval_config=eval_config(task=config.training.task, thresholds=False, transformed=True,
                                guard_sets=tuple(name for name, _ in config.guard_sets),
                                snippet_sets=SNIPPET_SETS if config.snippet_reviews else ()),
    ).with_id(node_ids.EXPERIMENT_EVALUATOR)
    stages.with_evaluator_executor(config, evaluator)  # TFMA's metrics from whole batches
    return stages.assemble(config, [*trained.components, evaluator], metadata_connection_config)
