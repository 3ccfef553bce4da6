"""The canary check a model passes before it is served: a few built-in reviews through its
`predict_text` signature, each output of the right shape, finite, and a probability in [0, 1].

A model that loads but answers NaN, a probability outside [0, 1], the wrong number of values
or a result that depends on what else is in the batch would serve wrong answers with a 200
status; TF Serving cannot tell, so the server asks before a version takes traffic (as
TFX's InfraValidator does before a push). The texts are the edge cases the server accepts:
an empty review, a long one, non-ASCII text.
"""
from __future__ import annotations

import math

CANARY_TEXTS = (
    "A wonderful film: moving, funny and beautifully acted. I loved every minute of it.",
    "Dull, predictable and far too long. The worst film I have seen this year.",
    "",
    "Très bien — un film magnifique, ¡qué maravilla! 映画 🎬",
    "an ordinary film " * 2000,  # about 34,000 characters, 6,000 words
)
# How far a text's probability alone may be from its probability in the canary batch; batch
# composition changes float32 sums at the 1e-7 level (padding in a transformer a little more).
BATCH_TOLERANCE = 1e-4


class CanaryError(ValueError):
    """The model answered the canary requests wrongly; the message says how."""


def check(predict_raw) -> None:
    """Raises CanaryError unless predict_raw(texts) -> {"probability": [n] floats (, "rating":
    [n])} is well-formed on CANARY_TEXTS, as a batch and text by text."""
    texts = list(CANARY_TEXTS)
    batch = predict_raw(texts)
    _check_outputs(batch, len(texts), "the canary batch")
    for i, text in enumerate(texts):
        alone = predict_raw([text])
        _check_outputs(alone, 1, f"canary text {i}")
        for key, values in batch.items():
            if abs(alone[key][0] - values[i]) > BATCH_TOLERANCE:
                raise CanaryError(f"{key} of canary text {i} is {alone[key][0]:.6g} alone but {values[i]:.6g} in a "
                                  f"batch of {len(texts)} (the model's answer depends on the batch)")


def _check_outputs(outputs: dict, n: int, what: str) -> None:
    if "probability" not in outputs:
        raise CanaryError(f"{what}: no probability output")
    for key, values in outputs.items():
        if len(values) != n:
            raise CanaryError(f"{what}: {len(values)} {key} values for {n} texts")
        bad = [v for v in values if not math.isfinite(v)]
        if bad:
            raise CanaryError(f"{what}: {key} is {bad[0]} (not a finite number)")
    outside = [p for p in outputs["probability"] if not 0.0 <= p <= 1.0]
    if outside:
        raise CanaryError(f"{what}: probability {outside[0]:.6g} is outside [0, 1]")
