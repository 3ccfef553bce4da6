"""components.anomalies_gate: data that breaks the schema stops the run, naming each anomaly."""
import os

import pandas as pd
import pytest


def test_anomalies_stop_the_run(tmp_path):
    """A split that breaks the schema makes AnomaliesGate fail, naming the feature."""
    import tensorflow_data_validation as tfdv
    from tfx.types import artifact_utils, standard_artifacts

    from components.anomalies_gate.anomalies import DataAnomaliesError, find_anomalies
    from components.anomalies_gate.component import AnomaliesGate
    from pipeline.configs import SCHEMA_PATH

    schema = tfdv.load_schema_text(SCHEMA_PATH)
    anomalies = standard_artifacts.ExampleAnomalies()
    anomalies.uri = str(tmp_path)
    anomalies.split_names = artifact_utils.encode_split_names(["train", "test"])
    good = {"text": ["fine"], "label": [1], "rating": [9], "review_id": ["train/pos/1"], "dataset": ["imdb"]}
    bad = {"text": ["fine"], "label": [3], "rating": [9], "review_id": ["test/pos/1"], "dataset": ["imdb"]}
    for split, row in (("train", good), ("test", bad)):
        stats = tfdv.generate_statistics_from_dataframe(pd.DataFrame(row))
        result = tfdv.validate_statistics(stats, schema)
        path = os.path.join(artifact_utils.get_split_uri([anomalies], split), "SchemaDiff.pb")
        os.makedirs(os.path.dirname(path))
        with open(path, "wb") as f:
            f.write(result.SerializeToString())

    found = find_anomalies(anomalies)
    assert len(found) == 1 and found[0].startswith("test: label:")
    executor = AnomaliesGate.EXECUTOR_SPEC.executor_class()
    with pytest.raises(DataAnomaliesError, match="test: label:"):
        executor.Do({"anomalies": [anomalies]}, {}, {})
