"""`imdb-tfx`: the project's command line (one module per subcommand in this package).

Heavy libraries (TensorFlow, TFX) are imported inside the subcommands, so `--help`
answers at once.
"""
from __future__ import annotations

import argparse
import atexit
import errno
import os
import re
import signal
import sys
import threading
import traceback
import warnings

import components  # noqa: F401  (sets the TensorFlow environment before anything imports TensorFlow)
from app.cli import status
from components import process_supervisor  # the standard library alone: the signal handlers use it

SUBCOMMANDS = ("run", "compile", "build_module", "experiment", "report", "predict", "serve", "monitor")


class Parser(argparse.ArgumentParser):
    """argparse's parser whose usage errors are one line (`imdb-tfx: error: ...`, status 2), as
    every other error of the CLI, instead of the usage text and the error."""

    def error(self, message: str):
        where, command = "", self.prog  # a subcommand's parser: prog "imdb-tfx run"
        if self.prog == "imdb-tfx":  # the top parser: unknown flags after a subcommand are reported here
            named = {name.replace("_", "-") for name in SUBCOMMANDS}
            sub = next((a for a in getattr(self, "argv", None) or sys.argv[1:] if a in named), None)
            command = f"imdb-tfx {sub}" if sub else "imdb-tfx"
        else:
            where = f"{self.prog}: "
        self.exit(status.USAGE, f"imdb-tfx: error: {where}{message} (see {command} --help)\n")


class Terminated(BaseException):
    """SIGTERM: raised in the main thread, so that a run unwinds (its children ended) as for Ctrl-C."""


def _terminated(signum, frame):
    _record(signum)
    raise Terminated()


def _interrupted(signum, frame):
    _record(signum)
    raise KeyboardInterrupt


def _record(signum: int) -> None:
    """Records the signal (process_supervisor.request_stop): a library may wrap the exception a
    signal raised (Beam: RuntimeError("KeyboardInterrupt [while running 'Run[StatisticsGen]']"))
    or catch it, and a run stopped by Ctrl-C or SIGTERM exits 130 / 143 whatever reaches main.
    It is passed on to the processes under this one, which a signal sent to this pid alone does
    not reach, until that is done (process_supervisor.pass_stop_on)."""
    process_supervisor.request_stop(signum)
    process_supervisor.pass_stop_on(signum)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = Parser(prog="imdb-tfx", description="imdb-tfx: the project's command line.",
                    epilog="Exit status: 0 done (run: pushed), 2 usage or input error, 3 run: not "
                           "blessed or not served correctly, nothing pushed; monitor: a drift check fired, "
                           "4 a component failed, 5 run: stopped by a drift check "
                           "(--drift-action block), nothing trained, 130 interrupted (Ctrl-C), "
                           "143 terminated (SIGTERM). docs/errors.md lists them per subcommand.")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(f"app.cli.{name}").add_parser(sub)
    for subparser in sub.choices.values():  # `imdb-tfx run --debug` as well as `imdb-tfx --debug run`
        subparser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                               help="show the traceback of an error")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The command of `argv` (None: the process's own, sys.argv); its exit status."""
    code = _command(argv)
    if argv is None and threading.current_thread() is threading.main_thread():
        _end_at_once_on_a_signal(code)  # the process ends next: its teardown is not interruptible noise
    return code


_AFTER_COMMAND: list[int] = []  # the status of the command this process ran (the CLI process only)


def _ignore_stop_signals_at_the_end() -> None:
    """The last atexit callback (registered when this module is imported, before TensorFlow
    registers its own): from here on Ctrl-C and SIGTERM are ignored. Python then restores the
    default action of every signal that has a Python handler, and tears down its modules (with
    TensorFlow loaded, a second or more) — a signal then killed the process after its work was
    done and said, its status -2 or -15 instead of the command's. An ignored signal stays ignored."""
    if _AFTER_COMMAND:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)


atexit.register(_ignore_stop_signals_at_the_end)


def _end_at_once_on_a_signal(code: int) -> None:
    """After the process's command: Ctrl-C or SIGTERM while the interpreter shuts down (TensorFlow's
    atexit callbacks remove AutoGraph's temporary files, for one) ends it at once with the
    command's status, its work done and said; Python printed "Exception ignored in atexit
    callback ... KeyboardInterrupt" with a traceback, and exited 0. What still runs under it
    (a library's workers its own clean-up would have ended) is ended first."""
    def end(signum, frame):
        process_supervisor.end_children()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)

    signal.signal(signal.SIGTERM, end)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, end)
    _AFTER_COMMAND.append(code)


def _command(argv: list[str] | None) -> int:
    parser = build_parser()
    parser.argv = sys.argv[1:] if argv is None else list(argv)  # for its errors' help hint
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    previous = {}
    process_supervisor.reset_stop()
    if threading.current_thread() is threading.main_thread():
        previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, _terminated)}
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where SIGINT is ignored
            previous[signal.SIGINT] = signal.signal(signal.SIGINT, _interrupted)
    try:
        from app.cli import validation

        validation.check(args)  # every flag and path, before anything runs (and before TensorFlow)
        code = args.func(args)
        signum = process_supervisor.stop_signal()  # a signal whose exception a library caught
        return code if signum is None else _stopped(signum)
    except KeyboardInterrupt:  # the first signal gives the status (a second may have raised this)
        return _stopped(process_supervisor.stop_signal() or signal.SIGINT)
    except Terminated:
        return _stopped(process_supervisor.stop_signal() or signal.SIGTERM)
    except Exception as e:  # noqa: BLE001  (every failure becomes one line and a status)
        signum = process_supervisor.stop_signal()
        if signum is not None:  # a signal's exception, wrapped by a library
            return _stopped(signum)
        code, message = classify(e)
        if code is None:
            raise
        if args.debug or os.environ.get("IMDB_TFX_DEBUG"):  # the traceback too, the same status
            traceback.print_exc()
        # One line: a library's message may hold its own line breaks (TensorFlow's "\n\t when reading").
        message = re.sub(r"\s*\n\s*", " ", message.strip())
        print(f"imdb-tfx: error: {message}", file=sys.stderr)
        return code
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if previous:  # this command's stop ends with it (a later in-process caller is not stopped)
            process_supervisor.reset_stop()


def _stopped(signum: int) -> int:
    """The children ended, one line, 130 (Ctrl-C) or 143 (SIGTERM)."""
    _stop_children()
    if signum == signal.SIGTERM:
        print("imdb-tfx: terminated (SIGTERM): stopped; no child process left running", file=sys.stderr)
        return status.TERMINATED
    print("imdb-tfx: interrupted (Ctrl-C): stopped; no child process left running", file=sys.stderr)
    return status.INTERRUPTED


def _stop_children() -> None:
    """Ends the children a component started (the InfraValidator's model server: a component in
    another thread does not see the main thread's interrupt), and any other process still under
    this one (Beam's workers started after the signal was passed on)."""
    process_supervisor.stop_all()
    process_supervisor.end_children()


def classify(error: BaseException) -> tuple[int | None, str]:
    """(exit status, message) of an error; status None for one that is not expected (a bug:
    its traceback is shown)."""
    component_error = _loaded_class("pipeline.progress", "ComponentError")
    if component_error and isinstance(error, component_error):
        if _input_error(error.cause):
            # Beam appends where in its graph the error arose: nothing a user needs.
            return status.USAGE, re.sub(r" \[while running '.*'\]$", "", str(error.cause))
        return status.FAILED, str(error)
    locked = _loaded_class("pipeline.run_lock", "RunLockedError")
    if isinstance(error, (FileNotFoundError, ValueError)) or _input_error(error) or (locked and isinstance(error, locked)):
        return status.USAGE, str(error)
    if isinstance(error, OSError) and error.errno in _PATH_ERRNOS:
        # A path the user gave that cannot be written or read (read-only, not a directory, ...).
        where = error.filename or ("a file this command writes" if error.errno in (errno.ENOSPC, errno.EDQUOT)
                                   else "a path")
        return status.USAGE, f"{where}: {error.strerror or os.strerror(error.errno)}"
    return None, str(error)


_PATH_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR, errno.ENOTDIR, errno.ENOENT,
                errno.ENAMETOOLONG, errno.ELOOP, errno.ENOSPC, errno.EDQUOT}


def _input_error(error: BaseException) -> bool:
    """One of the documented input errors a component raises: bad data, data that breaks the schema."""
    classes = [_loaded_class("components.example_gen.errors", "ImdbDataError"),
               _loaded_class("components.anomalies_gate.anomalies", "DataAnomaliesError")]
    return any(c and isinstance(error, c) for c in classes)


def _loaded_class(module: str, name: str):
    """The class, if its module was imported (an error of it can only come from there); importing
    it here would import TFX only to print an error."""
    return getattr(sys.modules.get(module), name, None)


if __name__ == "__main__":
    sys.exit(main())
