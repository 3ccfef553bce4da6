"""app.cli: the command line's start-up and its errors."""
import os
import subprocess
import sys

from tests.helpers import corpus

CLI = [sys.executable, "-m", "app"]


def run_cli(*args, **kwargs):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, **kwargs)


def test_help_does_not_import_tensorflow():
    code = ("import sys; from app.cli import arguments, main as cli; cli.build_parser().format_help(); "
            "print(sorted(m for m in ('tensorflow', 'tfx', 'apache_beam') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_subcommands():
    out = run_cli("--help")
    assert out.returncode == 0
    assert "run" in out.stdout and "build-module" in out.stdout


def test_run_with_missing_data_is_a_clear_error(tmp_path):
    out = run_cli("run", "--data", str(tmp_path / "missing.tar.gz"), "--pipeline-root", str(tmp_path))
    assert out.returncode == 2
    assert f"{tmp_path / 'missing.tar.gz'}: no such file or directory" in out.stderr


def test_run_with_missing_module_is_a_clear_error(tmp_path):
    archive = corpus.write_archive(str(tmp_path / "a.tar.gz"), corpus.corpus_files(n_train=2, n_test=2))
    out = run_cli("run", "--data", archive, "--module", str(tmp_path / "no-module"),
                  "--pipeline-root", str(tmp_path / "root"), "--metadata-path", str(tmp_path / "m.sqlite"))
    assert out.returncode == 2
    assert str(tmp_path / "no-module") in out.stderr and "Traceback" not in out.stderr
    assert not os.path.exists(tmp_path / "m.sqlite")  # failed before the pipeline started


def test_debug_shows_the_traceback_and_keeps_the_status(tmp_path):
    for flags in (["--debug", "run"], ["run", "--debug"]):
        out = run_cli(*flags, "--data", str(tmp_path / "missing.tar.gz"), "--pipeline-root", str(tmp_path))
        assert out.returncode == 2, flags  # the error's status, not 1 (a bug's)
        assert "Traceback" in out.stderr and out.stderr.rstrip().splitlines()[-1].startswith("imdb-tfx: error: ")


def test_a_tf_hub_module_that_cannot_be_fetched_is_one_line_before_the_pipeline(tmp_path):
    archive = corpus.write_archive(str(tmp_path / "a.tar.gz"), corpus.corpus_files(n_train=2, n_test=2))
    url = "https://hub.example.invalid/google/nnlm-en-dim128/2"  # .invalid: never resolves
    out = run_cli("run", "--data", archive, "--module", url, "--pipeline-root", str(tmp_path / "root"),
                  "--metadata-path", str(tmp_path / "m.sqlite"))
    assert out.returncode == 2, out.stderr[-2000:]
    assert f"imdb-tfx: error: --module {url}: cannot be fetched" in out.stderr and "Traceback" not in out.stderr
    assert not os.path.exists(tmp_path / "m.sqlite")  # before the pipeline started


def test_experiment_with_an_unknown_row_is_a_clear_error(tmp_path):
    out = run_cli("experiment", "--rows", "glove-frozen,nope", "--data", str(tmp_path))
    assert out.returncode == 2
    assert "grid 'default' has no row nope" in out.stderr and "Traceback" not in out.stderr


def test_presets_and_training_flags():
    from app.cli import arguments, main as cli

    args = cli.build_parser().parse_args(["run", "--preset", "best"])
    best = arguments.training_config(args)
    assert best.head == "ensemble" and best.ensemble_weights == "eval_by_length"
    assert [(m.head, m.optimizer, m.train_on) for m in best.member_configs()] == [
        ("wide", "lbfgs", "reviews"), ("wide", "lbfgs", "sentences")]
    assert "ngrams" in best.transform_options() and "embed_module" not in best.transform_options()
    args = cli.build_parser().parse_args(["run", "--trainable", "--optimizer", "ftrl", "--train-steps", "5"])
    assert arguments.training_config(args).optimizer == "ftrl" and arguments.training_config(args).train_steps == 5
    args = cli.build_parser().parse_args(["run", "--optimizer", "proximal_adagrad", "--optimizer-l1", "0.001",
                                          "--optimizer-l2", "0.002"])
    proximal = arguments.training_config(args)
    assert (proximal.optimizer, proximal.optimizer_l1, proximal.optimizer_l2) == ("proximal_adagrad", 0.001, 0.002)


def test_exit_statuses_and_messages():
    """Every expected failure is one line and a documented status; a bug keeps its traceback."""
    from app.cli import main as cli
    from app.cli import status
    from components.anomalies_gate.anomalies import DataAnomaliesError
    from components.example_gen.reviews import ImdbDataError
    from pipeline.progress import ComponentError

    data = ImdbDataError("archive.tar.gz: aclImdb/train/pos/1_3.txt: rating 3 contradicts folder pos/")
    assert cli.classify(ComponentError("FileBasedExampleGen", data)) == (status.USAGE, str(data))
    in_beam = ImdbDataError(f"{data} [while running 'Read[aclImdb_v1.tar.gz]/Parse[aclImdb_v1.tar.gz]/ParDo(_Parse)']")
    assert cli.classify(ComponentError("FileBasedExampleGen", in_beam)) == (status.USAGE, str(data))
    anomalies = DataAnomaliesError("ExampleValidator found anomalies: train: text: ...")
    assert cli.classify(ComponentError("AnomaliesGate", anomalies)) == (status.USAGE, str(anomalies))
    crash = ComponentError("Trainer", RuntimeError("out of memory"))
    assert cli.classify(crash) == (status.FAILED, "Trainer failed: RuntimeError: out of memory")
    assert cli.classify(FileNotFoundError("x: no such file"))[0] == status.USAGE
    assert cli.classify(KeyError("a bug"))[0] is None
    from pipeline.run_lock import RunLockedError

    assert cli.classify(RunLockedError("m.sqlite is in use by pid 7"))[0] == status.USAGE
    assert len({status.OK, status.USAGE, status.NOT_BLESSED, status.FAILED}) == 4


def test_the_store_follows_the_pipeline_root():
    from app.cli import arguments
    from app.cli import main as cli
    from pipeline.configs import PipelineConfig

    default = PipelineConfig()
    config = arguments.pipeline_config(cli.build_parser().parse_args(["run", "--data", "x"]))
    # A local run's paths absolute: the store records its artifacts' paths as the run gives them.
    assert (config.pipeline_root, config.metadata_path, config.serving_dir) == tuple(
        os.path.abspath(p) for p in (default.pipeline_root, default.metadata_path, default.serving_dir))
    config = arguments.pipeline_config(cli.build_parser().parse_args(["compile", "--data", "gs://b/d", "--image", "i",
                                                                      "--pipeline-root", "root"]), containers=True)
    assert (config.pipeline_root, config.metadata_path) == ("root", "root.metadata.sqlite")  # the containers' paths
    config = arguments.pipeline_config(cli.build_parser().parse_args(["run", "--data", "x", "--pipeline-root",
                                                                      "/tmp/best/pipeline/"]))
    assert config.metadata_path == "/tmp/best/pipeline.metadata.sqlite"
    config = arguments.pipeline_config(cli.build_parser().parse_args(
        ["run", "--data", "x", "--pipeline-root", "/tmp/r", "--metadata-path", "/tmp/m.sqlite"]))
    assert config.metadata_path == "/tmp/m.sqlite"


def test_the_blessings_change_tolerance_reaches_the_evaluators_threshold():
    from app.cli import arguments
    from app.cli import main as cli
    from components.evaluator.eval_config import eval_config

    config = arguments.pipeline_config(cli.build_parser().parse_args(["run", "--data", "x"]))
    assert config.accuracy_change_tolerance == 1e-10
    config = arguments.pipeline_config(cli.build_parser().parse_args(
        ["run", "--data", "x", "--accuracy-change-tolerance", "0.01"]))
    assert config.accuracy_change_tolerance == 0.01
    threshold = eval_config(config.accuracy_lower_bound, config.accuracy_change_tolerance).metrics_specs[0]
    assert "-0.01" in str(threshold)


def test_report_never_creates_a_store_and_a_named_store_must_exist(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    out = run_cli("report", "--metadata-path", str(empty), "--output", str(tmp_path / "r.html"))
    assert out.returncode == 2 and f"{empty}: not a metadata store (an empty file)" in out.stderr
    assert empty.stat().st_size == 0 and "Traceback" not in out.stderr
    out = run_cli("report", "--metadata-path", str(tmp_path / "typo.sqlite"), "--pipeline-root", str(tmp_path))
    assert out.returncode == 2 and "typo.sqlite: no metadata store there" in out.stderr
    assert not (tmp_path / "typo.sqlite").exists()


def test_snippet_reviews_flag(tmp_path):
    """--snippet-reviews N sets PipelineConfig.snippet_reviews (0: none); a negative N is one line
    and exit status 2 before anything runs; subcommands without the flag keep the default; guard
    sets may not take a snippet set's name."""
    import pytest

    from app.cli import arguments
    from app.cli import main as cli
    from components.example_gen.errors import ImdbDataError
    from pipeline.configs import PipelineConfig

    def config(*args):
        return arguments.pipeline_config(cli.build_parser().parse_args([*args, "--data", "x"]))

    assert config("run").snippet_reviews == PipelineConfig.snippet_reviews == 1000
    assert config("run", "--snippet-reviews", "0").snippet_reviews == 0
    assert config("run", "--snippet-reviews", "40").snippet_reviews == 40
    assert config("experiment").snippet_reviews == 1000  # the production run's ExampleGen, from the cache
    with pytest.raises(ImdbDataError, match="reserved for the snippet sets"):
        config("run", "--guard-set", "snippet_sentence=g.jsonl")
    out = run_cli("run", "--data", str(tmp_path / "a.tar.gz"), "--pipeline-root", str(tmp_path / "root"),
                  "--snippet-reviews", "-1")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == ["imdb-tfx: error: --snippet-reviews -1: must be 0 (no snippet sets) or more"]
    assert not (tmp_path / "root").exists()


def test_experiment_takes_guard_sets_and_snippet_reviews_but_no_blessing_thresholds(tmp_path):
    """`imdb-tfx experiment --guard-set NAME=PATH --snippet-reviews N` as `imdb-tfx run`; an
    experiment never blesses, so --guard-floor and --guard-tolerance are not its flags; a broken
    guard file is one line and exit status 2 before anything runs."""
    import pytest

    from app.cli import arguments
    from app.cli import main as cli

    guard = corpus.write_guard_set(str(tmp_path / "short.jsonl"))
    args = cli.build_parser().parse_args(["experiment", "--data", "x", "--guard-set", f"short={guard}",
                                          "--snippet-reviews", "30"])
    config = arguments.pipeline_config(args)
    assert (config.guard_sets, config.snippet_reviews, config.guard_floors) == ((("short", guard),), 30, ())
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["experiment", "--guard-floor", "short=0.5"])
    (tmp_path / "bad.jsonl").write_text('{"text": "Great.", "label": 2}\n')
    out = run_cli("experiment", "--data", str(tmp_path / "a.tar.gz"), "--pipeline-root", str(tmp_path / "root"),
                  "--guard-set", f"bad={tmp_path / 'bad.jsonl'}")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{tmp_path / 'bad.jsonl'}:1" in out.stderr and not (tmp_path / "root").exists()


def test_an_error_with_line_breaks_is_one_line(monkeypatch, capsys):
    """A library's message may hold its own line breaks (TensorFlow's gs:// errors end with
    "\\n\\t when reading PATH"): the error is still one line."""
    from app.cli import main as cli
    from app.cli import predict

    def fails(args):
        raise ValueError("gs://b/data: Could not resolve host\n\t when reading gs://b/data")

    monkeypatch.setattr(predict, "cmd_predict", fails)
    assert cli.main(["predict", "a review"]) == 2
    assert capsys.readouterr().err == ("imdb-tfx: error: gs://b/data: Could not resolve host when reading "
                                       "gs://b/data\n")


def test_a_job_server_that_does_not_answer_is_named():
    from app.cli import run
    from pipeline.progress import ComponentError

    error = ComponentError("FileBasedExampleGen", RuntimeError("grpc.FutureTimeoutError [while running 'Run']"))
    run._name_the_job_server(error, ("--runner=PortableRunner", "--job_endpoint=localhost:8099"))
    assert str(error).endswith("(no Beam job server answered at localhost:8099: is it running? docs/scale_out.md)")
    other = ComponentError("Transform", RuntimeError("ValueError: bad"))
    run._name_the_job_server(other, ("--runner=PortableRunner", "--job_endpoint=localhost:8099"))
    assert str(other) == "Transform failed: RuntimeError: ValueError: bad"


def test_a_full_disk_is_a_usage_error_naming_the_file(tmp_path):
    """ENOSPC (and EDQUOT) is a path the user gave that cannot be written: one line, status 2;
    a file written whole (components.paths.replace_file) is left as it was when the write fails."""
    import errno

    from app.cli import main as cli
    from components.paths import replace_file

    assert cli.classify(OSError(errno.ENOSPC, "No space left on device", "/x/report.html")) == (
        2, "/x/report.html: No space left on device")
    page = tmp_path / "report.html"
    page.write_text("the earlier report")
    os.symlink("/dev/full", f"{page}.tmp{os.getpid()}")  # the temporary file on a full disk: ENOSPC
    try:
        replace_file(str(page), "a new report")
    except OSError as e:
        assert (e.errno, e.filename) == (errno.ENOSPC, str(page))
        assert cli.classify(e) == (2, f"{page}: No space left on device")
    else:
        raise AssertionError("the write did not fail")
    assert page.read_text() == "the earlier report" and not os.path.lexists(f"{page}.tmp{os.getpid()}")
    os.chmod(page, 0o640)
    link = tmp_path / "latest.html"
    link.symlink_to(page)
    replace_file(str(link), "a new report")  # through the link, the file's mode kept
    assert link.is_symlink() and page.read_text() == "a new report" and page.stat().st_mode & 0o777 == 0o640


def test_the_benchmarks_parser_gives_a_pipeline_config(monkeypatch):
    """scripts/benchmark.py (make benchmark) and the benchmarks built on it parse run's flags with
    a parser of their own, whose arguments have no subcommand."""
    from tests.helpers.paths import ROOT

    monkeypatch.syspath_prepend(os.path.join(ROOT, "scripts"))
    import benchmark

    from app.cli import arguments

    args = benchmark.parser_with_run_args("b").parse_args(["--data", "x", "--pipeline-root", "r"])
    assert arguments.pipeline_config(args).pipeline_root == os.path.abspath("r")
