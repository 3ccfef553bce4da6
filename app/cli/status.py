"""`imdb-tfx`'s exit statuses, the same for every subcommand (README: Exit status; which
subcommand can return which, and the error rules: docs/errors.md)."""

OK = 0  # done; for `run`: a model was blessed and pushed
USAGE = 2  # a usage or input error (bad flags, data, module, store): one line names the file and the problem
NOT_BLESSED = 3  # `run`: the pipeline ran, but the model was not blessed, so nothing was pushed; `monitor`: a drift check fired on the served traffic
FAILED = 4  # a component failed; the message names it (`--debug` shows the traceback)
DRIFT_BLOCKED = 5  # `run`: a drift check with --drift-action block fired: stopped before training, nothing trained or pushed
INTERRUPTED = 130  # Ctrl-C (SIGINT): one line; a run's children (the model server) are ended with it
TERMINATED = 143  # SIGTERM (128 + 15): one line; a run's children are ended with it
# Not statuses imdb-tfx returns, but what a shell shows for a process the kernel killed:
# 137 (128 + 9) for SIGKILL; its children die with it (components/process_supervisor.py).
