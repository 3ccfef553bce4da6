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
BASELINE_RESOLVER = "latest_blessed_model_resolver"
EVALUATOR = "Evaluator"
INFRA_VALIDATOR = "InfraValidator"
PUSHER = "Pusher"

# Experiment runs (pipeline/experiment.py).
EXPERIMENT_TUNER = "ExperimentTuner"
EXPERIMENT_TRAINER = "ExperimentTrainer"
EXPERIMENT_EVALUATOR = "ExperimentEvaluator"
EXPERIMENT_NODES = (EXPERIMENT_TUNER, EXPERIMENT_TRAINER, EXPERIMENT_EVALUATOR)
