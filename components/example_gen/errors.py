"""ImdbDataError, in a module of its own so that the CLI can check input at start-up (guard sets)
without importing TensorFlow, whose import prints its C++ warnings before the quiet console
(app/cli/console.py) starts."""


class ImdbDataError(ValueError):
    """A review file, the archive, a split or a guard set is not what it should be; names where."""
