"""The pipelines' component ids: what the metadata store names each node's executions.

The application reads runs back by these ids (app/runs.py). A production run and an
experiment run share everything up to Transform (same ids, so an experiment reuses the
production run's cached data); an experiment's Tuner, Trainer and Evaluator have their own
ids, so that reports and the blessing history see only the production ones.
"""

EXAMPLE_GEN = "FileBasedExampleGen"
STATISTICS_GEN = "StatisticsGen"
SCHEMA_GEN = "ImportSchemaGen"
EXAMPLE_VALIDATOR = "ExampleValidator"
ANOMALIES_GATE = "AnomaliesGate"
TRANSFORM = "Transform"

# Production runs (pipeline/production.py).
TUNER = "Tuner"
TRAINER = "Trainer"
BASE_MODEL_RESOLVER = "base_model_resolver"  # the Trainer's base model, for a warm start
BASELINE_RESOLVER = "latest_blessed_model_resolver"  # the Evaluator's baseline (compiled: the base model too)
DRIFT_MODEL_RESOLVER = "drift_model_resolver"  # the model in service, whose scores the drift check compares
DRIFT_CHECK = "DriftCheck"  # this run's span against the previous window (pipeline/span_stages.py)
EVALUATOR = "Evaluator"
INFRA_VALIDATOR = "InfraValidator"
PUSHER = "Pusher"

# Experiment runs (pipeline/experiment.py).
EXPERIMENT_TUNER = "ExperimentTuner"
EXPERIMENT_TRAINER = "ExperimentTrainer"
EXPERIMENT_EVALUATOR = "ExperimentEvaluator"
EXPERIMENT_NODES = (EXPERIMENT_TUNER, EXPERIMENT_TRAINER, EXPERIMENT_EVALUATOR)
