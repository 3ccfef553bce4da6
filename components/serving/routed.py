"""A request a protocol module has read (TF Serving's columnar form, :classify, a pinned
version), handed to KServe's data plane like any other, so that every protocol answers through
the same path: ImdbModel's preprocess, predict (the batcher, or the pinned version) and
postprocess (components/serving/kserve_model.py).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Optional


@dataclasses.dataclass
class Routed:
    read: Callable[[int], list]  # max_instances -> the review texts (BadRequest when wrong)
    answer: Optional[Callable[[list], object]] = None  # [(version, answer)] -> the response; None: V1 rows
    version: Optional[int] = None  # a pinned version (None: the served one)
    payload: object = None  # the decoded request, for whoever looks at it (e.g. a request log)
