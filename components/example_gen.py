"""Custom ExampleGen executor: aclImdb text files (archive or directory) -> tf.Examples.

Each review becomes a `tf.train.Example` with
  text       the raw UTF-8 review,
  label      1 for pos/, 0 for neg/,
  rating     1..10, from the file name `<id>_<rating>.txt`,
  review_id  e.g. `train/pos/123`.
Output splits: `train` and `eval` from the official train set (`eval` is the reviews whose
hashed review id falls in the first `eval_percent` of 100 buckets, so the choice is
deterministic), `test` = the official test set, untouched. The 50,000 unlabelled
`train/unsup` reviews become an `unsup` split (text and review_id only) only when asked.

Bad input (documented in README, "Bad input"):
  corrupt or truncated archive, a file name that is not `<id>_<rating>.txt`, a rating
  that contradicts its folder (pos is 7..10, neg 1..4, unsup 0), invalid UTF-8, a missing
  pos/ or neg/ folder, an empty output split  -> the run stops with an ImdbDataError
  naming the file and the problem;
  an empty (blank) review, or a hidden file such as `.DS_Store` -> skipped, counted in the
  Examples artifact's `num_skipped_reviews` property and listed in its
  `skipped_reviews.txt`.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
import zlib
from typing import Any, Iterator

import apache_beam as beam
import tensorflow as tf
from absl import logging
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.filesystem import CompressionTypes
from tfx.components.example_gen import utils
from tfx.components.example_gen.base_example_gen_executor import BaseExampleGenExecutor
from tfx.proto import example_gen_pb2
from tfx.types import artifact_utils, standard_component_specs
from tfx.utils import proto_utils

FILE_NAME = re.compile(r"^(\d+)_(\d+)\.txt$")
RATINGS = {"pos": range(7, 11), "neg": range(1, 5), "unsup": range(0, 1)}
LABELS = {"pos": 1, "neg": 0}
LABELLED_PARTS = [("train", "pos"), ("train", "neg"), ("test", "pos"), ("test", "neg")]
SKIPPED_FILE = "skipped_reviews.txt"
_SKIPPED_PATH_KEY = "_skipped_reviews_path"


class ImdbDataError(ValueError):
    """A review file, the archive or a split is not what the aclImdb layout promises."""


def review_location(path: str) -> tuple[str, str, str] | None:
    """(official split, folder, file name) of a review path, or None for other files."""
    parts = path.replace("\\", "/").split("/")
    if len(parts) < 3 or parts[-3] not in ("train", "test") or parts[-2] not in RATINGS:
        return None
    return parts[-3], parts[-2], parts[-1]


def parse_review(path: str, content: bytes, source: str) -> tf.train.Example | str:
    """Builds the Example of one review file, or returns the reason it is skipped.

    Raises ImdbDataError, naming `source` and `path`, for a review that is broken.
    """
    split, folder, name = review_location(path)
    where = path if path.startswith(source) else f"{source}: {path}"
    if name.startswith("."):
        return "hidden file"
    match = FILE_NAME.match(name)
    if not match:
        raise ImdbDataError(f"{where}: file name is not <id>_<rating>.txt")
    review_num, rating = match.group(1), int(match.group(2))
    if rating not in RATINGS[folder]:
        allowed = RATINGS[folder]
        raise ImdbDataError(f"{where}: rating {rating} contradicts folder {folder}/, "
                            f"which holds ratings {allowed.start}..{allowed.stop - 1}")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ImdbDataError(f"{where}: invalid UTF-8 at byte {e.start}: {e.reason}") from None
    if not text.strip():
        return "empty review"
    feature = {
        "text": _bytes_feature(text.encode("utf-8")),
        "review_id": _bytes_feature(f"{split}/{folder}/{review_num}".encode()),
    }
    if folder in LABELS:
        feature["label"] = _int_feature(LABELS[folder])
        feature["rating"] = _int_feature(rating)
    return tf.train.Example(features=tf.train.Features(feature=feature))


def _bytes_feature(value: bytes) -> tf.train.Feature:
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _int_feature(value: int) -> tf.train.Feature:
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))


def review_id(example: tf.train.Example) -> str:
    return example.features.feature["review_id"].bytes_list.value[0].decode()


def route(rid: str, eval_percent: int) -> str:
    """Output split of a review id: test, unsup, or train/eval by a stable hash."""
    split, folder, _ = rid.split("/")
    if folder == "unsup":
        return "unsup"
    if split == "test":
        return "test"
    bucket = int.from_bytes(hashlib.sha256(rid.encode()).digest()[:8], "big") % 100
    return "eval" if bucket < eval_percent else "train"


def _wanted(path: str, include_unsup: bool) -> bool:
    location = review_location(path)
    return location is not None and (include_unsup or location[1] != "unsup")


def read_archive(archive: str, include_unsup: bool) -> Iterator[tuple[str, bytes]]:
    """Yields (member name, content) of the review files in a tar(.gz) archive, streaming."""
    last = "(start of archive)"
    try:
        with FileSystems.open(archive, compression_type=CompressionTypes.UNCOMPRESSED) as f, \
                tarfile.open(fileobj=f, mode="r|*") as tar:
            for member in tar:
                last = member.name
                if member.isfile() and _wanted(member.name, include_unsup):
                    yield member.name, tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise ImdbDataError(f"{archive}: corrupt or truncated archive (last good member: {last}): "
                            f"{type(e).__name__}: {e}") from None


def _list_files(pattern: str, include_unsup: bool) -> list[str]:
    (result,) = FileSystems.match([pattern])
    return sorted(m.path for m in result.metadata_list if _wanted(m.path, include_unsup))


def _read_file(path: str) -> tuple[str, bytes]:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as f:
        return path, f.read()


class _ParseReview(beam.DoFn):
    SKIPPED = "skipped"

    def __init__(self, source: str):
        self._source = source
        self._skipped = beam.metrics.Metrics.counter("imdb_example_gen", "skipped_reviews")

    def process(self, item):
        path, content = item
        result = parse_review(path, content, self._source)
        if isinstance(result, str):
            self._skipped.inc()
            logging.warning("Skipping %s: %s", path, result)
            yield beam.pvalue.TaggedOutput(self.SKIPPED, f"{path}\t{result}")
        else:
            yield result


@beam.ptransform_fn
@beam.typehints.with_input_types(beam.Pipeline)
def ImdbToExample(pipeline: beam.Pipeline, exec_properties: dict[str, Any], split_pattern: str):
    """Reads the reviews at input_base/split_pattern into tf.Examples (all of them, unrouted)."""
    config = _custom_config(exec_properties)
    include_unsup = config.get("include_unsup", False)
    source = os.path.join(exec_properties[standard_component_specs.INPUT_BASE_KEY], split_pattern)
    label = split_pattern.replace("*", "x")
    if source.endswith((".tar.gz", ".tgz", ".tar")):
        files = (pipeline | f"Archive[{label}]" >> beam.Create([source])
                 | f"ReadArchive[{label}]" >> beam.FlatMap(read_archive, include_unsup))
    else:
        files = (pipeline | f"Pattern[{label}]" >> beam.Create([source])
                 | f"ListFiles[{label}]" >> beam.FlatMap(_list_files, include_unsup)
                 | f"ShuffleFiles[{label}]" >> beam.Reshuffle()
                 | f"ReadFiles[{label}]" >> beam.Map(_read_file))
    parsed = (files
              | f"Shuffle[{label}]" >> beam.Reshuffle()
              | f"Parse[{label}]" >> beam.ParDo(_ParseReview(source)).with_outputs(
                  _ParseReview.SKIPPED, main="examples"))
    skipped_path = exec_properties.get(_SKIPPED_PATH_KEY)
    if skipped_path:
        _ = (parsed[_ParseReview.SKIPPED]
             | f"WriteSkipped[{label}]" >> beam.io.WriteToText(
                 f"{skipped_path}-{hashlib.md5(split_pattern.encode()).hexdigest()[:8]}",
                 shard_name_template=""))
    return parsed.examples


def _custom_config(exec_properties: dict[str, Any]) -> dict[str, Any]:
    config = exec_properties.get(standard_component_specs.CUSTOM_CONFIG_KEY) or {}
    return json.loads(config) if isinstance(config, str) else dict(config)


def _count_key(keyed_example) -> tuple[tuple[str, str], str]:
    """((official split, folder), output split) of a routed example, for counting."""
    split, folder, _ = review_id(keyed_example[1]).split("/")
    return (split, folder), keyed_example[0]


def check_counts(counts: dict[tuple[str, str], int], split_names: list[str], source: str) -> None:
    """Raises if a labelled folder or an output split has no reviews."""
    for part in LABELLED_PARTS:
        if not any(n for (rid_part, _), n in counts.items() if rid_part == part):
            raise ImdbDataError(f"{source}: no reviews under aclImdb/{part[0]}/{part[1]}/ "
                                "(missing or empty folder)")
    for name in split_names:
        if not any(n for (_, split), n in counts.items() if split == name):
            raise ImdbDataError(f"{source}: split '{name}' is empty")


class Executor(BaseExampleGenExecutor):
    """FileBasedExampleGen executor for the aclImdb layout.

    custom_config: `eval_percent` (default 10), `include_unsup` (default False).
    """

    def GetInputSourceToExamplePTransform(self) -> beam.PTransform:
        return ImdbToExample

    def GenerateExamplesByBeam(self, pipeline: beam.Pipeline, exec_properties: dict[str, Any]):
        """Reads each distinct source once and routes its reviews to train/eval/test/unsup."""
        input_config = example_gen_pb2.Input()
        proto_utils.json_to_proto(exec_properties[standard_component_specs.INPUT_CONFIG_KEY], input_config)
        output_config = example_gen_pb2.Output()
        proto_utils.json_to_proto(exec_properties[standard_component_specs.OUTPUT_CONFIG_KEY], output_config)
        if output_config.split_config.splits:
            raise ValueError("The IMDB ExampleGen makes its own splits; leave output_config empty.")
        split_names = utils.generate_output_split_names(input_config, output_config)
        unknown = set(split_names) - {"train", "eval", "test", "unsup"}
        if unknown:
            raise ValueError(f"Unknown split names {sorted(unknown)}: use train, eval, test, unsup")
        config = _custom_config(exec_properties)
        eval_percent = int(config.get("eval_percent", 10))
        source = exec_properties[standard_component_specs.INPUT_BASE_KEY]

        patterns = sorted({s.pattern for s in input_config.splits})
        examples = [pipeline | f"Read[{p}]" >> ImdbToExample(exec_properties, p) for p in patterns]
        examples = examples | "Flatten" >> beam.Flatten() if len(examples) > 1 else examples[0]
        keyed = examples | "Route" >> beam.Map(lambda ex: (route(review_id(ex), eval_percent), ex))

        _ = (keyed
             | "CountKey" >> beam.Map(_count_key)
             | "Count" >> beam.combiners.Count.PerElement()
             | "ToDict" >> beam.combiners.ToDict()
             | "Check" >> beam.Map(check_counts, split_names, source))

        partitions = keyed | "Partition" >> beam.Partition(
            lambda kv, n: split_names.index(kv[0]) if kv[0] in split_names else n - 1,
            len(split_names) + 1)
        return {name: partitions[i] | f"Values[{name}]" >> beam.Values() for i, name in enumerate(split_names)}

    def Do(self, input_dict, output_dict, exec_properties):
        examples = artifact_utils.get_single_instance(output_dict[standard_component_specs.EXAMPLES_KEY])
        skipped_prefix = os.path.join(examples.uri, SKIPPED_FILE)
        exec_properties = dict(exec_properties, **{_SKIPPED_PATH_KEY: skipped_prefix})
        super().Do(input_dict, output_dict, exec_properties)
        skipped = _merge_skipped(skipped_prefix)
        examples.set_int_custom_property("num_skipped_reviews", len(skipped))
        if skipped:
            logging.warning("Skipped %d review files (listed in %s): %s", len(skipped),
                            skipped_prefix, "; ".join(skipped[:5]) + (" ..." if len(skipped) > 5 else ""))


def _merge_skipped(prefix: str) -> list[str]:
    """Merges the per-source skip lists into one sorted file and returns its lines."""
    lines = []
    for part in tf.io.gfile.glob(prefix + "-*"):
        with tf.io.gfile.GFile(part) as f:
            lines += [line for line in f.read().splitlines() if line]
        tf.io.gfile.remove(part)
    lines.sort()
    with tf.io.gfile.GFile(prefix, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    return lines
