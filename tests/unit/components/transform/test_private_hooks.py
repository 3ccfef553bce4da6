"""TFX's private Transform API as components/transform/tfx_private.py uses it: a TFX upgrade that
changes it fails here with one line naming the hook."""
import pytest

from components.private_api import changed
from components.transform import tfx_private


def test_tfx_transform_private_hooks_are_as_used():
    problems = changed(tfx_private.HOOKS)
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


def test_the_processor_is_swapped_for_the_block_only():
    from tfx.components.transform import executor as tfx_transform

    original = tfx_transform.TransformProcessor
    processor = tfx_private.processor_class(512, sink=None)
    with tfx_private.processor_swapped(processor):
        assert tfx_transform.TransformProcessor is processor and issubclass(processor, original)
    assert tfx_transform.TransformProcessor is original
