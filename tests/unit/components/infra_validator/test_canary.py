"""components/infra_validator/canary.py: what makes a served answer well-formed and equal."""
import math

import pytest

from components.infra_validator import canary


def answer(*probabilities):
    return [{"probability": p, "label": "positive" if p > 0.5 else "negative"} for p in probabilities]


def test_equal_answers_give_their_largest_difference():
    assert canary.check_predictions(answer(0.25, 0.75), [0.25, 0.75 + 2e-6]) == pytest.approx(2e-6)


@pytest.mark.parametrize("served, expected, message", [
    (answer(0.5), [0.5, 0.5], "expected 2 predictions"),
    ({"predictions": []}, [0.5], "expected 1 predictions"),
    (answer(math.nan), [0.5], "probability nan is not a number in"),
    (answer(1.5), [0.5], "probability 1.5"),
    ([{"probability": "0.5", "label": "negative"}], [0.5], "probability '0.5'"),
    ([{"probability": 0.9, "label": "negative"}], [0.9], "label 'negative' for probability 0.9"),
    (answer(0.5), [math.nan], "the model's own probability is nan"),
])
def test_malformed_answers_are_refused(served, expected, message):
    with pytest.raises(ValueError, match=message):
        canary.check_predictions(served, expected)


def test_a_model_that_is_not_there_is_not_servable(tmp_path):
    result = canary.run_canary(str(tmp_path / "missing"), ["a review"], str(tmp_path / "server.log"), timeout=60)
    assert not result.blessed and "the model does not predict in process" in result.reason


def test_a_run_being_stopped_gives_no_verdict(tmp_path):
    """The error of a model load that a signal broke (TensorFlow's C++ turns the handler's
    exception into its own) is let through, not recorded as the model's verdict."""
    import signal

    from components import process_supervisor

    process_supervisor.request_stop(signal.SIGTERM)
    try:
        with pytest.raises(Exception) as raised:
            canary.run_canary(str(tmp_path / "missing"), ["a review"], str(tmp_path / "server.log"), timeout=60)
        assert not isinstance(raised.value, AssertionError)
    finally:
        process_supervisor.reset_stop()


def test_the_protocols_checked_are_known_ones(tmp_path):
    with pytest.raises(ValueError, match="canary protocols \\['soap'\\]: expected some of rest, v2-binary, grpc"):
        canary.run_canary(str(tmp_path), ["a review"], str(tmp_path / "server.log"), protocols=("rest", "soap"))


def test_free_ports_are_distinct():
    """The canary server's REST and gRPC ports are bound together, never the same port twice."""
    from components.infra_validator.canary import free_ports

    for _ in range(20):
        ports = free_ports(2)
        assert len(set(ports)) == 2 and all(0 < p < 65536 for p in ports)
