"""AnomaliesGate: a custom component after ExampleValidator (component.py, anomalies.py)."""
