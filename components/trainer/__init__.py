"""The Trainer's module code (entry point: `components.trainer.run_fn.run_fn`).

input_data.py (the input pipeline), layers.py, optimizers.py, models.py (one model of a
TrainingConfig), naive_bayes.py, ensemble.py, training.py (train_model), metrics.py,
signatures.py (the exported signatures), run_fn.py (the TFX entry point), autograph.py
(what AutoGraph leaves unconverted).
"""

# Written by run_fn beside the model (model_run directory); read by the experiment table.
METRICS_FILE = "metrics.json"
