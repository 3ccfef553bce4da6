"""DriftCheck: a custom component before the Trainer that compares the newest span with the data
of the model in service (components/drift), records the verdict and, for a check whose action
is "block", stops the run (component.py, executor.py, actions.py, artifact.py, errors.py)."""

DRIFT_FILE = "drift.json"  # the file in DriftCheck's DriftReport artifact (read back by the app without TFX)
FIRST_SPAN = "no earlier span in the store: nothing to compare with"  # its explanation (the app adds a hint)
