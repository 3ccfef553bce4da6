"""Fault injection for the crash tests: `imdb-tfx run` killed (SIGKILL) in a given component.

  python -m tests.helpers.faults NODE run ARGS...

runs `imdb-tfx run ARGS...` in this process and kills it with SIGKILL when the component NODE
has run its executor but before TFX publishes the execution (its outputs written, the store
still saying RUNNING), or, for the Pusher, in the middle of its copy into the serving
directory. Nothing is mocked: the real run is killed at a real point.
"""
from __future__ import annotations

import os
import signal
import sys


def kill() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def kill_after_executor(node_id: str) -> None:
    from tfx.orchestration.portable import launcher

    run_executor = launcher.Launcher._run_executor

    def killing(self, execution_info):
        output = run_executor(self, execution_info)
        if self._pipeline_node.node_info.id == node_id:
            kill()
        return output

    launcher.Launcher._run_executor = killing


def kill_mid_push() -> None:
    """The Pusher's saved_model.pb is copied last (components/pusher/executor.py): die there."""
    from components.pusher import executor

    executor.io_utils.copy_file = lambda *args, **kwargs: kill()


def main(argv: list[str]) -> int:
    import components  # noqa: F401  (the TensorFlow environment)

    node, args = argv[0], argv[1:]
    if node == "Pusher":
        kill_mid_push()
    else:
        kill_after_executor(node)
    from app.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
