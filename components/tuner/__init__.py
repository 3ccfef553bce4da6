"""The Tuner's module code (entry point: `components.tuner.tuner_fn.tuner_fn`)."""
