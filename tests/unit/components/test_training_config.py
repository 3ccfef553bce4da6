"""components.training_config: one list of optimisers everywhere, coercion from custom_config."""
import dataclasses

import pytest

from components.training_config import (OPTIMIZERS, TrainingConfig, apply_hyperparameters,
                                        training_config)


def test_every_optimizer_has_a_factory_a_flag_and_a_search_space():
    from app.cli import main as cli
    from components.trainer.optimizers import FACTORIES, make_optimizer
    from components.tuner.tuner_fn import L2_STRENGTHS, LEARNING_RATES, search_space

    assert tuple(FACTORIES) == OPTIMIZERS
    assert set(LEARNING_RATES) | {"lbfgs"} == set(OPTIMIZERS)
    choices = next(a for a in cli.build_parser()._subparsers._group_actions[0].choices["run"]._actions
                   if a.dest == "optimizer").choices
    assert tuple(choices) == OPTIMIZERS
    for name in OPTIMIZERS:
        config = TrainingConfig(optimizer=name, tune=True, head="wide" if name == "lbfgs" else "dnn")
        if name == "lbfgs":  # no learning rate: the Tuner searches its L2 strength
            assert search_space(config).values["l2"] in L2_STRENGTHS
        else:
            assert search_space(config).values["learning_rate"] in LEARNING_RATES[name]
        assert make_optimizer(config) is not None


def test_single_models_and_modules():
    single = TrainingConfig(module="random")
    assert single.single_models() == [single] and single.modules() == ["random"]
    ensemble = TrainingConfig(head="ensemble", members=({"module": "glove", "precompute": True},
                                                        {"head": "wide", "ngram_size": 2}))
    assert [m.head for m in ensemble.single_models()] == ["dnn", "wide"]
    assert ensemble.modules() == ["glove"]
    assert ensemble.transform_options() == {"ngrams": {"size": 2, "ids": "hash", "buckets": 2**32},
                                            "embed_module": "glove"}
    vocabulary = TrainingConfig(head="wide", ngram_size=2, min_count=4, ngram_index="vocabulary")
    assert vocabulary.transform_options() == {"ngrams": {"size": 2, "ids": "vocabulary", "min_count": 4}}
    assert TrainingConfig(head="majority").modules() == []
    by_length = TrainingConfig(head="ensemble", ensemble_weights="eval_by_length", members=(
        {"head": "wide", "optimizer": "lbfgs"}, {"head": "wide", "optimizer": "lbfgs", "train_on": "sentences"}))
    assert [m.train_on for m in by_length.single_models()] == ["reviews", "sentences"]
    from components.trainer.input_data import feature_keys

    assert feature_keys(by_length) == ["ngrams", "word_count"]  # the word count picks the weights


def test_custom_config_round_trip():
    config = TrainingConfig(hidden_units=(8, 4), dropout=0.1)
    custom = {**config.to_custom_config(), "code_version": "abc"}
    assert custom["hidden_units"] == [8, 4]
    assert training_config(custom) == config
    assert training_config(config, dropout=0.2).dropout == 0.2
    assert training_config("random").module == "random"
    tuned = apply_hyperparameters(config, {"values": {"hidden_units": "256", "learning_rate": 0.01}})
    assert (tuned.hidden_units, tuned.learning_rate) == ((256,), 0.01)
    assert dataclasses.replace(tuned, hidden_units=(8, 4), learning_rate=config.learning_rate) == config


def test_bad_configs():
    with pytest.raises(ValueError, match="unknown optimizer 'sgd'"):
        TrainingConfig(optimizer="sgd")
    with pytest.raises(ValueError, match="optimizer lbfgs fits the wide head only, not dnn"):
        TrainingConfig(optimizer="lbfgs")
    with pytest.raises(ValueError, match="unknown train_on 'chunks': use one of reviews, sentences"):
        TrainingConfig(train_on="chunks")
    with pytest.raises(ValueError, match="unknown ensemble_weights 'length'"):
        TrainingConfig(head="ensemble", ensemble_weights="length", members=({}, {}))
    with pytest.raises(ValueError, match="precomputed module cannot be trained"):
        TrainingConfig(precompute=True, trainable=True)
    with pytest.raises(ValueError, match="only one module"):
        TrainingConfig(head="ensemble", members=({"module": "a", "precompute": True},
                                                 {"module": "b", "precompute": True})).transform_options()


def test_unlabelled_sentences_need_an_earlier_member_trained_on_reviews():
    reviews, sentences = {"head": "wide"}, {"head": "wide", "train_on": "sentences", "unlabelled_margin": 0.2}
    config = TrainingConfig(head="ensemble", members=(reviews, sentences))
    assert config.unlabelled_labeller() == 0 and config.uses_unlabelled()
    plain = TrainingConfig(head="ensemble", members=(reviews, {**sentences, "unlabelled_margin": 0.0}))
    assert plain.unlabelled_labeller() is None and not plain.uses_unlabelled()
    with pytest.raises(ValueError, match="earlier ensemble member must be trained on reviews"):
        TrainingConfig(head="ensemble", members=(sentences, reviews))
    with pytest.raises(ValueError, match="earlier ensemble member must be trained on reviews"):
        TrainingConfig(head="ensemble", members=({**sentences, "unlabelled_margin": 0.0}, sentences))
    with pytest.raises(ValueError, match="applies to a model trained on sentences"):
        TrainingConfig(head="wide", unlabelled_margin=0.2)
    with pytest.raises(ValueError, match=r"must be in \[0, 0.5\)"):
        TrainingConfig(head="wide", train_on="sentences", unlabelled_margin=0.5)
    with pytest.raises(ValueError, match="needs an ensemble"):
        TrainingConfig(**sentences).unlabelled_labeller()
