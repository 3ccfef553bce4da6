"""TextSample: one side of a drift comparison (texts, and what is known about them)."""
from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class TextSample:
    texts: list[str]  # raw review texts
    labels: np.ndarray | None = None  # 0/1 ints; None when unknown (served traffic)
    ratings: np.ndarray | None = None  # 1-10 (0 = none); None when unknown
    scores: np.ndarray | None = None  # the model in service's P(positive) per text; None if no model
    name: str = ""

    def __post_init__(self):
        self.texts = list(self.texts)
        for field in ("labels", "ratings", "scores"):
            value = getattr(self, field)
            if value is not None:
                value = np.asarray(value)
                if len(value) != len(self.texts):
                    raise ValueError(f"TextSample {self.name!r}: {len(value)} {field} for {len(self.texts)} texts")
                setattr(self, field, value)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray) -> "TextSample":
        """The texts at `index` (with their labels, ratings and scores)."""
        pick = lambda a: None if a is None else a[index]  # noqa: E731
        return TextSample([self.texts[i] for i in index], pick(self.labels), pick(self.ratings),
                          pick(self.scores), self.name)


def subsample(sample: TextSample, limit: int | None, seed: int) -> TextSample:
    """At most `limit` texts of `sample`, a deterministic random choice (order kept)."""
    if limit is None or len(sample) <= limit:
        return sample
    index = np.sort(np.random.default_rng(seed).choice(len(sample), size=limit, replace=False))
    return sample.subset(index)
