"""`imdb-tfx`'s exit statuses, the same for every subcommand (README: Exit status)."""

OK = 0  # done; for `run`: a model was blessed and pushed
USAGE = 2  # a usage or input error (bad flags, data, module, store): one line names the file and the problem
NOT_BLESSED = 3  # `run`: the pipeline ran, but the model was not blessed, so nothing was pushed
FAILED = 4  # a component failed; the message names it (`--debug` shows the traceback)
INTERRUPTED = 130  # Ctrl-C
