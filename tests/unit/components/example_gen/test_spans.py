"""Spans (components/example_gen/spans.py, labelled_files.py): finding span folders, what each
holds, TFX's driver resolving `span-{SPAN}/*`, and the executor reading each kind of span, with
the test split's rule (official test, held-out part, --test-data) and the errors."""
import json
import os
import shutil

import pytest
import tensorflow as tf
from tfx.components.example_gen import utils as example_gen_utils
from tfx.proto import example_gen_pb2, range_config_pb2

from components.example_gen import labelled_files, spans
from components.example_gen.errors import ImdbDataError
from components.example_gen.reviews import route
from data.dataset import DataError, check_span, resolve_data
from tests.helpers import corpus
from tests.unit.components.example_gen.test_executor import feature, run_executor


def write_jsonl(path, n=60, seed=0, ratings=True):
    import random

    rng = random.Random(seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for i in range(n):
            positive = i % 2 == 0
            row = {"text": corpus.review_text(rng, positive), "label": int(positive)}
            if ratings:
                row["rating"] = 9 if positive else 2
            f.write(json.dumps(row) + "\n")
    return str(path)


def span_patterns(source, span):
    """The split patterns with the span put in, as TFX's driver hands them to the executor."""
    return {n: p.replace("{SPAN}", str(span)) for n, p in source.split_patterns().items()}


def run_span(source, span, out_dir, **config):
    class Resolved:
        input_base = source.input_base

        @staticmethod
        def split_patterns(include_unsup=False):
            return span_patterns(source, span)

    return run_executor(Resolved, out_dir, **config)


@pytest.fixture()
def span_root(tmp_path):
    """span-1: an aclImdb tree with test/; span-3: an archive without test/; span-10: JSON lines."""
    root = tmp_path / "spans"
    corpus.write_directory(str(root / "span-1"), corpus.corpus_files(n_train=30, n_test=10, seed=1))
    files = {k: v for k, v in corpus.corpus_files(n_train=40, n_test=0, seed=3).items() if "/test/" not in k}
    os.makedirs(root / "span-3")
    corpus.write_archive(str(root / "span-3" / "aclImdb_v1.tar.gz"), files)
    write_jsonl(str(root / "span-10" / "reviews.jsonl"), n=80)
    return root


def test_discovery_and_kinds(span_root):
    found = spans.list_spans(str(span_root))
    assert sorted(found) == [1, 3, 10]  # gaps allowed, numeric order (10 after 3)
    assert spans.span_kind(found[1])[0] == spans.ACLIMDB
    assert spans.span_kind(found[3]) == (spans.ARCHIVE, [os.path.join(found[3], "aclImdb_v1.tar.gz")])
    assert spans.span_kind(found[10]) == (spans.LABELLED, [os.path.join(found[10], "reviews.jsonl")])
    source = resolve_data(str(span_root))
    assert source.kind == "spans" and source.input_base == str(span_root)
    assert set(source.split_patterns().values()) == {"span-{SPAN}/*"}
    assert check_span(source, None) == (10, found[10])
    assert check_span(source, 3) == (3, found[3])
    with pytest.raises(DataError, match=r"--span 2: .* has no span-2/ \(spans: 1, 3, 10\)"):
        check_span(source, 2)
    single = resolve_data(corpus.write_directory(str(span_root.parent / "single"), corpus.corpus_files(5, 5)))
    with pytest.raises(DataError, match="--span 1: .* has no span folders"):
        check_span(single, 1)
    with pytest.raises(DataError, match="--window 2: .* has no span folders"):
        check_span(single, None, 2)
    assert check_span(single, None, 1) is None


def test_bad_span_folders(tmp_path):
    (tmp_path / "span-1").mkdir()
    (tmp_path / "span-x").mkdir()
    with pytest.raises(DataError, match="span-x: a span folder is named span-<N>"):
        resolve_data(str(tmp_path))
    os.rmdir(tmp_path / "span-x")
    with pytest.raises(DataError, match="span-1: an empty span"):
        check_span(resolve_data(str(tmp_path)), None)
    (tmp_path / "span-1" / "notes.txt").write_text("x")
    with pytest.raises(DataError, match=r"span-1: no reviews in it \(it holds notes.txt\): expected an aclImdb tree"):
        check_span(resolve_data(str(tmp_path)), None)
    (tmp_path / "span-1" / "a.tar.gz").write_bytes(b"")
    (tmp_path / "span-1" / "b.jsonl").write_text("{}")
    with pytest.raises(ImdbDataError, match="an archive or labelled files, not both"):
        spans.span_kind(str(tmp_path / "span-1"))
    os.remove(tmp_path / "span-1" / "a.tar.gz")
    for tree in ("train/pos", "aclImdb/train/neg"):  # an aclImdb tree beside labelled files: they would go unread
        (tmp_path / "span-1" / tree).mkdir(parents=True)
        with pytest.raises(DataError, match=r"span-1: a span holds an aclImdb tree or labelled files, "
                                            rf"not both \({os.path.dirname(tree)}/, b.jsonl\)"):
            check_span(resolve_data(str(tmp_path)), None)
        shutil.rmtree(tmp_path / "span-1" / tree.split("/")[0])
    os.remove(tmp_path / "span-1" / "b.jsonl")
    (tmp_path / "span-1" / "aclImdb" / "train").mkdir(parents=True)
    (tmp_path / "span-1" / "aclImdb_v1.tar.gz").write_bytes(b"")  # the archive its tree came from: not read
    assert spans.span_kind(str(tmp_path / "span-1")) == (spans.ACLIMDB, [str(tmp_path / "span-1" / "aclImdb")])
    for name, message in (("span-02", r"span-02: a span number has no leading zeros \(name it span-2\)"),
                          ("span-99999999999999999999", r"span number 99999999999999999999 is over 9223372036854775807")):
        (tmp_path / name).mkdir()
        with pytest.raises(DataError, match=message):  # at start-up, not in TFX's driver later
            resolve_data(str(tmp_path))
        os.rmdir(tmp_path / name)


def test_tfx_driver_resolves_the_newest_span_or_the_static_range(span_root):
    """TFX's own span machinery (what FileBasedExampleGen's driver calls) on our pattern."""
    splits = [example_gen_pb2.Input.Split(name="train", pattern=spans.SPAN_PATTERN)]
    _, span, version = example_gen_utils.calculate_splits_fingerprint_span_and_version(str(span_root), splits)
    assert (span, version) == (10, None)
    static = range_config_pb2.RangeConfig(static_range=range_config_pb2.StaticRange(
        start_span_number=3, end_span_number=3))
    splits = [example_gen_pb2.Input.Split(name="train", pattern=spans.SPAN_PATTERN)]
    _, span, _ = example_gen_utils.calculate_splits_fingerprint_span_and_version(str(span_root), splits, static)
    assert span == 3 and splits[0].pattern == "span-3/*"


def test_aclimdb_span_keeps_its_official_test(span_root, tmp_path):
    splits, _ = run_span(resolve_data(str(span_root)), 1, tmp_path / "out")
    assert len(splits["test"]) == 20
    assert all(feature(ex, "review_id").startswith("test/") for ex in splits["test"])
    assert len(splits["train"]) + len(splits["eval"]) == 60


def test_archive_span_without_test_holds_out_a_part(span_root, tmp_path):
    splits, _ = run_span(resolve_data(str(span_root)), 3, tmp_path / "out", eval_percent=10)
    ids = {name: {feature(ex, "review_id") for ex in exs} for name, exs in splits.items()}
    assert sum(map(len, ids.values())) == 80 and not ids["test"] & ids["train"]
    assert 6 <= len(ids["test"]) <= 30  # ~20% by hashed review id
    # deterministic: the buckets after eval's, by the review id's hash (as the eval split)
    assert all(route(rid, 10, 20, official_test=False) == name for name, rids in ids.items() for rid in rids)


def test_labelled_span_and_test_data(span_root, tmp_path):
    test_data = write_jsonl(str(tmp_path / "fixed_test.jsonl"), n=12, seed=7, ratings=False)
    splits, _ = run_span(resolve_data(str(span_root)), 10, tmp_path / "out", test_data=test_data)
    assert len(splits["train"]) + len(splits["eval"]) == 80  # no held-out part: the test set is given
    assert len(splits["test"]) == 12
    assert feature(splits["test"][0], "review_id").startswith("test/")
    assert not splits["test"][0].features.feature["rating"].int64_list.value  # rating left out
    for ex in splits["train"]:
        assert feature(ex, "rating") == (9 if feature(ex, "label") else 2)
        assert feature(ex, "dataset") == "imdb"
    # --test-data replaces an aclImdb span's official test reviews too (they are dropped)
    assert route("test/pos/1", 10, 0, official_test=False) == "dropped"


def test_a_span_needs_both_labels_and_test_pos_with_test_neg():
    from components.example_gen.executor import check_counts

    only_positive = {(("train", "pos"), "train"): 30}
    with pytest.raises(ImdbDataError, match="span-0: no reviews under aclImdb/train/neg/ .*no rows of label 0"):
        check_counts(only_positive, ["train"], "span-0", "optional")
    both = {(("train", "pos"), "train"): 30, (("train", "neg"), "train"): 30}
    check_counts(both, ["train"], "span-0", "optional")  # no test/: fine for a span
    with pytest.raises(ImdbDataError, match="aclImdb/test/pos/"):
        check_counts(both, ["train"], "aclImdb", "required")  # one dataset needs its official test
    with pytest.raises(ImdbDataError, match="aclImdb/test/neg/"):
        check_counts({**both, (("test", "pos"), "test"): 5}, ["train"], "span-0", "optional")


@pytest.mark.parametrize("content, message", [
    ('{"text": "fine", "label": 1, "rating": 11}\n', r"x.jsonl:1: \"rating\" must be an integer 1-10"),
    ('{"text": "fine", "label": 2}\n', r"x.jsonl:1: \"label\" must be 0 or 1"),
    ('{"text": " ", "label": 1}\n', r"x.jsonl:1: missing or empty \"text\""),
    ('{"text": "ok", "label": 1}\nnot json\n', r"x.jsonl:2: not a JSON line"),
    ("", "x.jsonl: labelled file has no rows"),
    (b"\x1f\x8b\x08\x00rest of a gzip", r"x.jsonl: an archive, not a labelled file: expected JSON lines or CSV"),
    (b'{"text": "caf\xe9", "label": 1}\n', r"x.jsonl: invalid UTF-8 at byte 13: .* \(expected a UTF-8 text file"),
])
def test_labelled_file_errors(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ImdbDataError, match=message):
        labelled_files.read_rows(str(path))


def test_labelled_csv_with_optional_rating(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('text,label,rating\n"great, truly",1,8\nawful,0,\n')
    rows = labelled_files.read_rows(str(path))
    assert [(r.text, r.label, r.rating, r.line) for r in rows] == [("great, truly", 1, 8, 2), ("awful", 0, None, 3)]
    example = labelled_files.labelled_example(rows[0], "train", str(path))
    assert feature(example, "review_id") == "train/pos/x.csv:2"
    assert tf.train.Example.FromString(example.SerializeToString()) == example


def test_rows_without_a_rating_pass_the_curated_schema(tmp_path):
    """A span of the user's own reviews, or --test-data, may leave `rating` out: no anomaly."""
    import tensorflow_data_validation as tfdv

    from pipeline.configs import SCHEMA_PATH

    rows = [labelled_files.Row(f"review {i}", i % 2, None if i % 3 else 7 + i % 4 if i % 2 else 2, i + 1)
            for i in range(30)]
    path = str(tmp_path / "examples.tfrecord")
    with tf.io.TFRecordWriter(path) as writer:
        for row in rows:
            writer.write(labelled_files.labelled_example(row, "train", "own.jsonl").SerializeToString())
    statistics = tfdv.generate_statistics_from_tfrecord(path, pipeline_options=None)
    anomalies = tfdv.validate_statistics(statistics, tfdv.load_schema_text(SCHEMA_PATH))
    assert not anomalies.anomaly_info, anomalies
