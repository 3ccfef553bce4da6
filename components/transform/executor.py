"""Transform executor for a frozen module applied in Transform (TrainingConfig.precompute).

TFX leaves Transform's batch size to Beam's adaptive batching, which keeps batches of
expensive elements small: for a sequence encoder (MiniLM: slow per review on a CPU)
that means a few reviews per call, each padded to the longest of them, with no room to
sort by length, and no progress report (embedding.PROGRESS_MIN_BATCH). With fixed batches
of BATCH_SIZE, embedding.embed_in_chunks sorts each batch by length and encodes it 32
reviews at a time.
"""
from tfx.components.transform import executor as tfx_transform

BATCH_SIZE = 512


class _Processor(tfx_transform.TransformProcessor):
    def _GetDesiredBatchSize(self, data_format, schema):
        size = super()._GetDesiredBatchSize(data_format, schema)
        return BATCH_SIZE if size is None else size


class Executor(tfx_transform.Executor):
    def Do(self, input_dict, output_dict, exec_properties):
        # TFX's Executor.Do instantiates the module's TransformProcessor, which owns the batch size.
        original, tfx_transform.TransformProcessor = tfx_transform.TransformProcessor, _Processor
        try:
            return super().Do(input_dict, output_dict, exec_properties)
        finally:
            tfx_transform.TransformProcessor = original
