"""pipeline.recovery.exclusive_run: a run stopped by a signal cancels what it started, also the
execution TFX recorded as FAILED because a library (Beam) wrapped the interrupt in its own
error; a run that fails by itself leaves its FAILED execution as it is."""
import io
import os
import signal

import pytest

from components import process_supervisor
from pipeline import recovery


def _store(path):
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2 as pb
    from tfx.orchestration import metadata

    store = metadata_store.MetadataStore(metadata.sqlite_metadata_connection_config(str(path)))
    type_id = store.put_execution_type(pb.ExecutionType(name="tfx.Component"))
    node = store.put_contexts([pb.Context(type_id=store.put_context_type(pb.ContextType(name="node")),
                                          name="imdb.Transform")])[0]

    def execution(state):
        execution_id = store.put_executions([pb.Execution(type_id=type_id, last_known_state=state)])[0]
        store.put_attributions_and_associations([], [pb.Association(context_id=node, execution_id=execution_id)])
        return execution_id

    return store, execution, pb.Execution


@pytest.mark.parametrize("signalled", [True, False])
def test_a_stop_that_a_library_turned_into_a_failure_is_cancelled(tmp_path, signalled):
    store, execution, Execution = _store(tmp_path / "m.sqlite")
    earlier = execution(Execution.FAILED)  # another run's failure: not this run's to touch
    root = tmp_path / "root"
    stream = io.StringIO()
    process_supervisor.reset_stop()
    try:
        with pytest.raises(RuntimeError):
            with recovery.exclusive_run(str(tmp_path / "m.sqlite"), str(root), stream):
                failed = execution(Execution.FAILED)  # what TFX records when Beam wraps the interrupt
                os.makedirs(root / "Transform" / ".system" / "executor_execution" / str(failed))
                if signalled:
                    process_supervisor.request_stop(signal.SIGINT)
                raise RuntimeError("KeyboardInterrupt [while running 'Run[Transform]']")
    finally:
        process_supervisor.reset_stop()
    states = {e.id: e.last_known_state for e in store.get_executions()}
    assert states[earlier] == Execution.FAILED
    if signalled:
        assert states[failed] == Execution.CANCELED
        assert f"Transform execution {failed} stopped before it finished: marked CANCELED" in stream.getvalue()
        assert not os.path.exists(root / "Transform" / ".system" / "executor_execution" / str(failed))
    else:  # failed by itself: TFX's FAILED stands
        assert states[failed] == Execution.FAILED and "stopped before it finished" not in stream.getvalue()
