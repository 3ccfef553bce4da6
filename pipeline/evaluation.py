"""The production run's evaluation: the latest blessed model as the baseline, and the Evaluator
that compares the candidate with it on the test split and blesses it or not.

The baseline is the latest blessed model other than the candidate
(components/evaluator/baseline.py), so that an identical rerun takes the Evaluator and the
Pusher from the cache instead of scoring the model against itself. A pipeline without a
local metadata store (Kubeflow: config.metadata_path empty) keeps TFX's
LatestBlessedModelStrategy, the only one KubeflowV2DagRunner compiles with the candidate: with
warm start, the Resolver node of the Trainer's base model (pipeline/base_model.py), the same query.
"""
from __future__ import annotations

import dataclasses

from tfx.components.evaluator.component import Evaluator
from tfx.dsl.components.common.resolver import Resolver

from components.evaluator.baseline import CANDIDATE, LatestBlessedOtherModelStrategy
from components.evaluator.eval_config import eval_config
from components.features import GUARD_SPLIT, TEST_SPLIT
from components.example_gen.snippet_sets import NAMES as SNIPPET_SETS
from pipeline import blessed_model, configs, node_ids, stages
from pipeline.stages import TrainingStages, has_guard_split


@dataclasses.dataclass
class EvaluationStages:
    baseline: Resolver
    evaluator: Evaluator

    @property
    def components(self) -> list:
        return [self.baseline, self.evaluator]


def evaluation_stages(config: configs.PipelineConfig, trained: TrainingStages) -> EvaluationStages:
    if config.metadata_path:  # LocalDagRunner, BeamDagRunner
        baseline = blessed_model.resolver(LatestBlessedOtherModelStrategy, node_ids.BASELINE_RESOLVER,
                                          **{CANDIDATE: trained.trainer.outputs["model"]})
    elif trained.base_model is not None:  # compiled for Kubeflow, warm start: the base model's node
        baseline = trained.base_model
    else:  # compiled for Kubeflow
        baseline = blessed_model.latest(node_ids.BASELINE_RESOLVER)
    evaluator = Evaluator(
        examples=trained.data.example_gen.outputs["examples"],
        model=trained.trainer.outputs["model"],
        baseline_model=baseline.outputs["model"],
        # With guard or snippet sets, split `guard` too: TFX pools the splits, the slices tell
        # them apart (components/evaluator/eval_config.py: slicing_specs).
        example_splits=[TEST_SPLIT, GUARD_SPLIT] if has_guard_split(config) else [TEST_SPLIT],
        eval_config=eval_config(config.accuracy_lower_bound, config.accuracy_change_tolerance,
                                task=config.training.task, guard_sets=tuple(n for n, _ in config.guard_sets),
                                guard_tolerance=config.guard_tolerance, guard_floors=dict(config.guard_floors),
                                snippet_sets=SNIPPET_SETS if config.snippet_reviews else ()),
    ).with_id(node_ids.EVALUATOR)
    stages.with_evaluator_executor(config, evaluator)  # TFMA's metrics from whole batches
    return EvaluationStages(baseline, evaluator)
