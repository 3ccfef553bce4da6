"""The EvalConfig with guard sets: slices crossed with `dataset`, the IMDB gate on `dataset: imdb`,
a change threshold (and an optional floor) per guard set."""
import pytest

from components.evaluator.eval_config import eval_config


def accuracy(config):
    return next(m for m in config.metrics_specs[0].metrics if m.class_name == "HistogramBinaryAccuracy")


def test_without_guard_sets_the_gate_is_the_overall_slice():
    config = eval_config(0.7)
    (gate,) = accuracy(config).per_slice_thresholds
    assert not gate.slicing_specs[0].feature_keys and not gate.slicing_specs[0].feature_values
    assert [list(s.feature_keys) for s in config.slicing_specs] == [[], ["rating"], ["length_bucket"]]


def test_guard_sets_get_their_own_thresholds():
    config = eval_config(0.7, guard_sets=("sentences", "tweets"), guard_tolerance=0.03,
                         guard_floors={"tweets": 0.6})
    gates = {dict(t.slicing_specs[0].feature_values)["dataset"]: t.threshold
             for t in accuracy(config).per_slice_thresholds}
    assert set(gates) == {"imdb", "sentences", "tweets"}
    assert gates["imdb"].value_threshold.lower_bound.value == 0.7
    assert gates["sentences"].change_threshold.absolute.value == pytest.approx(-0.03)
    assert not gates["sentences"].value_threshold.HasField("lower_bound")
    assert gates["tweets"].value_threshold.lower_bound.value == pytest.approx(0.6)
    # No pooled overall slice: every example in its dataset's slice; only the IMDB test split
    # also by rating and length (keys dataset: imdb, rating: R).
    assert [(list(s.feature_keys), dict(s.feature_values)) for s in config.slicing_specs] == CROSSED


CROSSED = [(["dataset"], {}), (["rating"], {"dataset": "imdb"}), (["length_bucket"], {"dataset": "imdb"})]


def test_floor_for_an_unknown_guard_set_is_refused():
    with pytest.raises(ValueError, match="no guard set of that name"):
        eval_config(guard_sets=("tweets",), guard_floors={"tweet": 0.5})


SNIPPET_SETS = ("snippet_sentence", "snippet_20_words", "snippet_50_words")


def gates(config) -> dict:
    return {dict(t.slicing_specs[0].feature_values)["dataset"]: t.threshold for t in accuracy(config).per_slice_thresholds}


@pytest.mark.parametrize("guard_sets", [(), ("tweets",)])
def test_snippet_sets_are_measured_with_no_threshold_and_the_gate_is_unchanged(guard_sets):
    """With snippet sets (alone or beside guard sets) the slices are crossed with `dataset`
    as with guard sets; the gate is the IMDB slice's and the guard sets' as without them."""
    with_snippets = eval_config(0.7, guard_sets=guard_sets, snippet_sets=SNIPPET_SETS)
    assert [(list(s.feature_keys), dict(s.feature_values)) for s in with_snippets.slicing_specs] == CROSSED
    assert set(gates(with_snippets)) == {"imdb", *guard_sets}  # no threshold names a snippet set
    assert gates(with_snippets)["imdb"].value_threshold.lower_bound.value == 0.7
    if guard_sets:
        assert with_snippets == eval_config(0.7, guard_sets=guard_sets)
    else:  # the gate of a run with guard sets, without theirs
        crossed = eval_config(0.7, guard_sets=("tweets",))
        assert [t for t in accuracy(crossed).per_slice_thresholds
                if dict(t.slicing_specs[0].feature_values)["dataset"] == "imdb"] == \
            list(accuracy(with_snippets).per_slice_thresholds)
        assert with_snippets.slicing_specs == crossed.slicing_specs
