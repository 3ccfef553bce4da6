"""The Evaluator's baseline resolver (components/evaluator/baseline.py): the latest blessed model
other than the candidate, so that an identical rerun does not compare the model with itself."""
from tfx.types import standard_artifacts

from components.evaluator.baseline import BLESSING, CANDIDATE, MODEL, LatestBlessedOtherModelStrategy
from tests.helpers.artifacts import artifact


def test_the_baseline_is_the_latest_blessed_model_other_than_the_candidate():
    models = [artifact(standard_artifacts.Model, i) for i in (1, 2, 3, 4)]
    blessings = [artifact(standard_artifacts.ModelBlessing, 10 + m, current_model_id=m, blessed=int(m != 4))
                 for m in (1, 2, 3, 4)]  # model 4 was not blessed
    strategy = LatestBlessedOtherModelStrategy()

    def baseline(candidate_id):
        candidate = [artifact(standard_artifacts.Model, candidate_id)]
        resolved = strategy.resolve_artifacts(None, {MODEL: list(models), BLESSING: list(blessings),
                                                     CANDIDATE: candidate})
        assert [a.id for a in resolved[CANDIDATE]] == [candidate_id]  # passed through
        return [a.id for a in resolved[MODEL]], [a.id for a in resolved[BLESSING]]

    assert baseline(5) == ([3], [13])  # a new candidate: the latest blessed model
    assert baseline(3) == ([2], [12])  # an identical rerun of the run that trained model 3
    assert baseline(4) == ([3], [13])  # a candidate that was not blessed leaves the others be
    assert strategy.resolve_artifacts(None, {MODEL: models[:1], BLESSING: blessings[:1],
                                             CANDIDATE: [artifact(standard_artifacts.Model, 1)]})[MODEL] == []
