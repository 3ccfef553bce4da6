"""Drift checks between two samples of review texts (spans, served traffic): docs/drift.md.

    from components.drift import TextSample, compare_samples, one_line, sample_from_examples

sample.py (TextSample), structured.py (label prior, rating, length), tokens.py (token JS
divergence, unknown tokens), domain.py (domain classifier), scores.py (the model's scores),
calibration.py (the verdict's rules), details.py (what the report shows), compare.py
(compare_samples, one_line), examples.py (sample_from_examples).
"""
from components.drift.compare import compare_samples, one_line
from components.drift.examples import sample_from_examples
from components.drift.sample import TextSample

__all__ = ["TextSample", "compare_samples", "one_line", "sample_from_examples"]
