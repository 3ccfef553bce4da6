"""components.example_gen: the custom ExampleGen executor on generated corpora, including the bad cases."""
import gzip
import io
import json
import os
import tarfile

import pytest
import tensorflow as tf
from tfx.proto import example_gen_pb2
from tfx.types import standard_artifacts
from tfx.utils import proto_utils

from components.example_gen import executor as example_gen
from components.example_gen.reviews import route
from data.dataset import DataSource, resolve_data
from tests.helpers import corpus


def run_executor(source: DataSource, out_dir, eval_percent=10, include_unsup=False, guard_split=False, **config):
    """Runs the executor as FileBasedExampleGen would (with split `guard`, on the test split's
    pattern, and more custom_config where given); returns {split: [Example]} and the artifact."""
    patterns = source.split_patterns(include_unsup)
    if guard_split:
        patterns = {**patterns, "guard": patterns["test"]}
    examples = standard_artifacts.Examples()
    examples.uri = str(out_dir)
    exec_properties = {
        "input_base": source.input_base,
        "input_config": proto_utils.proto_to_json(example_gen_pb2.Input(
            splits=[example_gen_pb2.Input.Split(name=n, pattern=p) for n, p in patterns.items()])),
        "output_config": proto_utils.proto_to_json(example_gen_pb2.Output()),
        "custom_config": json.dumps({"eval_percent": eval_percent, "include_unsup": include_unsup, **config}),
        "output_data_format": example_gen_pb2.FORMAT_TF_EXAMPLE,
    }
    example_gen.Executor().Do({}, {"examples": [examples]}, exec_properties)
    splits = {}
    for name in patterns:
        files = tf.io.gfile.glob(os.path.join(str(out_dir), f"Split-{name}", "*"))
        records = tf.data.TFRecordDataset(files, compression_type="GZIP")
        splits[name] = [tf.train.Example.FromString(r.numpy()) for r in records]
    return splits, examples


def feature(example, key):
    f = example.features.feature[key]
    return f.bytes_list.value[0].decode() if f.bytes_list.value else f.int64_list.value[0]


@pytest.fixture(scope="module")
def files():
    return corpus.corpus_files(n_train=60, n_test=20, n_unsup=5)


@pytest.mark.parametrize("layout", ["archive", "directory"])
def test_splits_labels_and_ratings(tmp_path, files, layout):
    if layout == "archive":
        source = resolve_data(corpus.write_archive(str(tmp_path / "aclImdb_v1.tar.gz"), files))
    else:
        source = resolve_data(corpus.write_directory(str(tmp_path / "data"), files))
    assert source.kind == layout
    splits, artifact = run_executor(source, tmp_path / "out", eval_percent=20)

    assert len(splits["test"]) == 40
    assert len(splits["train"]) + len(splits["eval"]) == 120
    assert 10 <= len(splits["eval"]) <= 40  # ~20% by hash
    for name, examples in splits.items():
        for ex in examples:
            rid = feature(ex, "review_id")
            split, folder, num = rid.split("/")
            assert (split == "test") == (name == "test")
            assert feature(ex, "label") == (folder == "pos")
            rating = feature(ex, "rating")
            assert rating in (range(7, 11) if folder == "pos" else range(1, 5))
            assert feature(ex, "text") == files[f"aclImdb/{split}/{folder}/{num}_{rating}.txt"].decode()
    ids = [feature(ex, "review_id") for exs in splits.values() for ex in exs]
    assert len(ids) == len(set(ids))
    assert artifact.get_int_custom_property("num_skipped_reviews") == 0


def test_eval_split_is_deterministic_and_same_for_both_layouts(tmp_path, files):
    archive = resolve_data(corpus.write_archive(str(tmp_path / "a.tar.gz"), files))
    directory = resolve_data(corpus.write_directory(str(tmp_path / "d"), files))
    a, _ = run_executor(archive, tmp_path / "out_a")
    d, _ = run_executor(directory, tmp_path / "out_d")
    ids = lambda exs: sorted(feature(e, "review_id") for e in exs)  # noqa: E731
    assert ids(a["eval"]) == ids(d["eval"])
    assert ids(a["eval"]) == sorted(r for r in ids(a["train"] + a["eval"])
                                    if route(r, 10) == "eval")


@pytest.mark.parametrize("layout", ["archive", "directory"])
def test_unsup_only_when_asked(tmp_path, files, layout):
    """Each unlabelled review once (a directory's unsup pattern was read beside the train
    pattern that holds it too: every unlabelled review twice)."""
    source = resolve_data(corpus.write_archive(str(tmp_path / "a.tar.gz"), files) if layout == "archive"
                          else corpus.write_directory(str(tmp_path / "d"), files))
    splits, _ = run_executor(source, tmp_path / "out", include_unsup=True)
    assert len(splits["unsup"]) == 5 and len({feature(ex, "review_id") for ex in splits["unsup"]}) == 5
    assert all("label" not in ex.features.feature for ex in splits["unsup"])
    assert source.split_patterns().keys() == {"train", "eval", "test"}


def test_empty_review_and_hidden_file_are_skipped_and_counted(tmp_path, files):
    files = dict(files)
    files["aclImdb/train/pos/999_8.txt"] = b"  \n "
    files["aclImdb/test/neg/._1_2.txt"] = b"\x00\x05resource fork"
    source = resolve_data(corpus.write_directory(str(tmp_path / "d"), files))
    splits, artifact = run_executor(source, tmp_path / "out")
    assert len(splits["train"]) + len(splits["eval"]) == 120
    assert artifact.get_int_custom_property("num_skipped_reviews") == 2
    skipped = (tmp_path / "out" / example_gen.SKIPPED_FILE).read_text()
    assert "999_8.txt\tempty review" in skipped and "._1_2.txt\thidden file" in skipped


@pytest.mark.parametrize("name, content, message", [
    ("aclImdb/train/pos/12_x.txt", b"fine", "file name is not <id>_<rating>.txt"),
    ("aclImdb/train/pos/notes.txt", b"fine", "file name is not <id>_<rating>.txt"),
    ("aclImdb/test/pos/12_3.txt", b"fine", "rating 3 contradicts folder pos/"),
    ("aclImdb/train/neg/12_11.txt", b"fine", "rating 11 contradicts folder neg/"),
    ("aclImdb/train/neg/12_2.txt", b"caf\xe9 au lait", "invalid UTF-8 at byte 3"),
])
def test_bad_review_file_names_the_file(tmp_path, files, name, content, message):
    files = dict(files, **{name: content})
    archive = corpus.write_archive(str(tmp_path / "a.tar.gz"), files)
    with pytest.raises(Exception, match=message) as info:
        run_executor(resolve_data(archive), tmp_path / "out")
    assert name in str(info.value) and archive in str(info.value)


@pytest.mark.parametrize("name, message", [
    ("aclImdb/train/pos/notes.md", "file name is not <id>_<rating>.txt"),
    ("aclImdb/test/neg/3_2.TXT", "file name is not <id>_<rating>.txt"),
    ("aclImdb/train/neg/4_2.txt.bak", "file name is not <id>_<rating>.txt"),
])
def test_a_directory_reads_every_file_of_its_label_folders_as_an_archive_does(tmp_path, files, name, message):
    """Not only *.txt: a misnamed file is an error naming it, a hidden one is skipped and
    counted, as for the same tree in an archive."""
    files = dict(files, **{name: b"fine", "aclImdb/train/pos/.DS_Store": b"\x00\x00"})
    source = resolve_data(corpus.write_directory(str(tmp_path / "d"), files))
    with pytest.raises(Exception, match=message) as info:
        run_executor(source, tmp_path / "out")
    assert os.path.basename(name) in str(info.value)
    del files[name]
    source = resolve_data(corpus.write_directory(str(tmp_path / "ok"), files))
    _, artifact = run_executor(source, tmp_path / "out-ok")
    assert artifact.get_int_custom_property("num_skipped_reviews") == 1  # .DS_Store
    assert ".DS_Store\thidden file" in (tmp_path / "out-ok" / example_gen.SKIPPED_FILE).read_text()


def test_a_review_file_that_cannot_be_read_is_an_input_error_naming_it(tmp_path):
    """A directory's review read with an OSError (permissions, a file gone since it was
    listed): ImdbDataError naming the file, as for an archive's member (status 2, not a
    component's failure with Beam's wrapping: app/cli/main.py)."""
    from components.example_gen.reviews import ImdbDataError
    from components.example_gen.sources import read_file

    for path, reason in ((tmp_path / "1_8.txt", "No such file or directory"), (tmp_path, "Is a directory")):
        with pytest.raises(ImdbDataError, match=f"^{path}: {reason}$"):
            read_file(str(path))


@pytest.mark.parametrize("missing", ["aclImdb/test/neg/", "aclImdb/train/pos/"])
def test_missing_folder(tmp_path, files, missing):
    files = {k: v for k, v in files.items() if not k.startswith(missing)}
    archive = corpus.write_archive(str(tmp_path / "a.tar.gz"), files)
    with pytest.raises(Exception, match=f"no reviews under {missing}"):
        run_executor(resolve_data(archive), tmp_path / "out")


def test_unsup_asked_for_but_absent_says_what_needs_it(tmp_path, files):
    files = {k: v for k, v in files.items() if "/unsup/" not in k}
    archive = corpus.write_archive(str(tmp_path / "a.tar.gz"), files)
    with pytest.raises(Exception, match=r"split 'unsup' is empty: no reviews under aclImdb/train/unsup/.*--preset best"):
        run_executor(resolve_data(archive), tmp_path / "out", include_unsup=True)


def test_empty_eval_split(tmp_path, files):
    archive = corpus.write_archive(str(tmp_path / "a.tar.gz"), files)
    with pytest.raises(Exception, match="split 'eval' is empty"):
        run_executor(resolve_data(archive), tmp_path / "out", eval_percent=0)


def test_truncated_archive(tmp_path, files):
    good = corpus.write_archive(str(tmp_path / "good.tar.gz"), files)
    data = open(good, "rb").read()
    bad = tmp_path / "aclImdb_v1.tar.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(Exception, match=f"{bad}: corrupt or truncated archive"):
        run_executor(resolve_data(str(bad)), tmp_path / "out")


def test_corrupt_archive(tmp_path, files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    data = bytearray(gzip.compress(raw.getvalue()))
    data[len(data) // 2: len(data) // 2 + 64] = b"\xff" * 64  # damage the deflate stream
    bad = tmp_path / "aclImdb_v1.tar.gz"
    bad.write_bytes(bytes(data))
    with pytest.raises(Exception, match="corrupt or truncated archive"):
        run_executor(DataSource("archive", str(bad)), tmp_path / "out")


def test_an_archive_s_links_are_skipped_and_counted_and_an_empty_split_names_the_archive(tmp_path, files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        link = tarfile.TarInfo("aclImdb/train/pos/999_9.txt")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    archive = tmp_path / "aclImdb_v1.tar.gz"
    archive.write_bytes(raw.getvalue())
    splits, artifact = run_executor(resolve_data(str(archive)), tmp_path / "out")
    assert len(splits["train"]) + len(splits["eval"]) == 120
    assert artifact.get_int_custom_property("num_skipped_reviews") == 1
    assert ("999_9.txt\tsymbolic link to /etc/passwd: links are not followed"
            in (tmp_path / "out" / example_gen.SKIPPED_FILE).read_text())
    with pytest.raises(Exception, match=f"{archive}: split 'eval' is empty"):
        run_executor(resolve_data(str(archive)), tmp_path / "out2", eval_percent=0)


def test_a_byte_order_mark_is_not_part_of_a_review():
    """An aclImdb tree of one's own saved by a Windows editor: the mark before the text is not the review's."""
    from components.example_gen.reviews import parse_review

    example = parse_review("aclImdb/train/pos/7_9.txt", b"\xef\xbb\xbfGreat film.", "data")
    assert example.features.feature["text"].bytes_list.value == [b"Great film."]
    assert parse_review("aclImdb/train/pos/8_9.txt", b"\xef\xbb\xbf \n", "data") == "empty review"
