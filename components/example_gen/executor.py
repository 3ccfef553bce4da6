"""The ExampleGen executor: aclImdb text files (archive or directory) -> tf.Examples, in Beam.

Each review becomes a `tf.train.Example` with
  text       the raw UTF-8 review,
  label      1 for pos/, 0 for neg/,
  rating     1..10, from the file name `<id>_<rating>.txt`,
  review_id  e.g. `train/pos/123`.
Output splits: `train` and `eval` from the official train set (`eval` is the reviews whose
hashed review id falls in the first `eval_percent` of 100 buckets, so the choice is
deterministic), `test` = the official test set, untouched. The 50,000 unlabelled
`train/unsup` reviews become an `unsup` split (text and review_id only) only when asked.
Every review also has `dataset` "imdb". The guard sets (custom_config `guard_sets`, [[name,
path]]: components/example_gen/guard.py) become split `guard`, their rows with `dataset` NAME,
and so do the snippet sets (custom_config `snippet_reviews` > 0 and `snippet_sets`, [name]:
components/example_gen/snippet_sets.py): a sample of the test reviews cut short, `dataset`
the set's name. Split `guard` is there exactly when one of the two is.
Each split is written as TFX's ExampleGen writes it (shuffled, gzipped TFRecords), at zlib
level 1 (write.py).

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
from typing import Any

import apache_beam as beam
import tensorflow as tf
from absl import logging
from tfx.components.example_gen import utils, write_split
from tfx.components.example_gen.base_example_gen_executor import BaseExampleGenExecutor
from tfx.components.util import examples_utils
from tfx.proto import example_gen_pb2
from tfx.types import artifact_utils, standard_component_specs
from tfx.utils import proto_utils

from components import features
from components.example_gen import guard, snippet_sets, write
from components.example_gen.layout import ARCHIVE_SUFFIXES, LABELLED_PARTS
from components.example_gen.reviews import ImdbDataError, parse_review, review_id, route
from components.example_gen.sources import list_files, read_archive, read_file

SKIPPED_FILE = "skipped_reviews.txt"
_SKIPPED_PATH_KEY = "_skipped_reviews_path"


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
    if source.endswith(ARCHIVE_SUFFIXES):
        files = (pipeline | f"Archive[{label}]" >> beam.Create([source])
                 | f"ReadArchive[{label}]" >> beam.FlatMap(read_archive, include_unsup))
    else:
        files = (pipeline | f"Pattern[{label}]" >> beam.Create([source])
                 | f"ListFiles[{label}]" >> beam.FlatMap(list_files, include_unsup)
                 | f"ShuffleFiles[{label}]" >> beam.Reshuffle()
                 | f"ReadFiles[{label}]" >> beam.Map(read_file))
    # Parsed where read (parsing costs little next to reading); TFX's write of each split
    # reshuffles the examples before writing them (write_split.py).
    parsed = (files
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


def _splits(exec_properties: dict[str, Any]) -> tuple[example_gen_pb2.Input, list[str]]:
    """The input config and the output split names; ValueError for an output config with splits."""
    input_config = example_gen_pb2.Input()
    proto_utils.json_to_proto(exec_properties[standard_component_specs.INPUT_CONFIG_KEY], input_config)
    output_config = example_gen_pb2.Output()
    proto_utils.json_to_proto(exec_properties[standard_component_specs.OUTPUT_CONFIG_KEY], output_config)
    if output_config.split_config.splits:
        raise ValueError("The IMDB ExampleGen makes its own splits; leave output_config empty.")
    return input_config, utils.generate_output_split_names(input_config, output_config)


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
            why = (": no reviews under aclImdb/train/unsup/, which --include-unsup, or a model that learns "
                   "from the unlabelled reviews (--preset best), needs") if name == features.UNSUP_SPLIT else ""
            raise ImdbDataError(f"{source}: split '{name}' is empty{why}")


class Executor(BaseExampleGenExecutor):
    """FileBasedExampleGen executor for the aclImdb layout.

    custom_config: `eval_percent` (default 10), `include_unsup` (default False), `guard_sets`,
    `snippet_reviews` and `snippet_sets` (split `guard`; none by default).
    """

    def GetInputSourceToExamplePTransform(self) -> beam.PTransform:
        return ImdbToExample

    def GenerateExamplesByBeam(self, pipeline: beam.Pipeline, exec_properties: dict[str, Any]):
        """Reads each distinct source once and routes its reviews to train/eval/test/unsup."""
        input_config, split_names = _splits(exec_properties)
        unknown = set(split_names) - {"train", "eval", "test", "unsup", guard.SPLIT}
        if unknown:
            raise ValueError(f"Unknown split names {sorted(unknown)}: use train, eval, test, unsup, guard")
        config = _custom_config(exec_properties)
        guard_sets = [tuple(g) for g in config.get("guard_sets") or ()]
        snippet_reviews = int(config.get("snippet_reviews") or 0)
        snippet_names = snippet_sets.check_names(config.get("snippet_sets") or ())
        if snippet_reviews < 0 or bool(snippet_reviews) != bool(snippet_names):
            raise ValueError("custom_config snippet_reviews (0 or more) and snippet_sets go together")
        if (guard.SPLIT in split_names) != bool(guard_sets or snippet_reviews):
            raise ValueError("split 'guard' goes with custom_config guard_sets or snippet_reviews")
        if snippet_reviews and "test" not in split_names:
            raise ValueError("snippet sets are cut from split 'test', which is not asked for")
        eval_percent = int(config.get("eval_percent", 10))
        source = exec_properties[standard_component_specs.INPUT_BASE_KEY]

        # The guard split's pattern only gives TFX's driver a file to fingerprint; its rows
        # come from the guard files (their content hash is in custom_config: the cache key)
        # and from the test split's reviews (the snippet sets).
        patterns = sorted({s.pattern for s in input_config.splits if s.name != guard.SPLIT})
        examples = [pipeline | f"Read[{p}]" >> ImdbToExample(exec_properties, p) for p in patterns]
        examples = examples | "Flatten" >> beam.Flatten() if len(examples) > 1 else examples[0]
        keyed = examples | "Route" >> beam.Map(lambda ex: (route(review_id(ex), eval_percent), ex))

        _ = (keyed
             | "CountKey" >> beam.Map(_count_key)
             | "Count" >> beam.combiners.Count.PerElement()
             | "ToDict" >> beam.combiners.ToDict()
             | "Check" >> beam.Map(check_counts, [n for n in split_names if n != guard.SPLIT], source))

        partitions = keyed | "Partition" >> beam.Partition(
            lambda kv, n: split_names.index(kv[0]) if kv[0] in split_names else n - 1,
            len(split_names) + 1)
        outputs = {name: partitions[i] | f"Values[{name}]" >> beam.Values()
                   for i, name in enumerate(split_names) if name != guard.SPLIT}
        extra = []
        if guard_sets:  # small files, read here (ImdbDataError for a broken one)
            extra.append(pipeline | "Guard" >> beam.Create(guard.guard_examples(guard_sets)))
        if snippet_reviews:
            extra.append(snippet_sets.snippet_split(outputs["test"], snippet_reviews, snippet_names))
        if extra:
            outputs[guard.SPLIT] = extra[0] if len(extra) == 1 else extra | "FlattenGuard" >> beam.Flatten()
        return outputs

    def Do(self, input_dict, output_dict, exec_properties):
        """TFX's BaseExampleGenExecutor.Do, each split written by write.WriteSplit (gzip level 1),
        and the skipped files listed."""
        self._log_startup(input_dict, output_dict, exec_properties)
        examples = artifact_utils.get_single_instance(output_dict[standard_component_specs.EXAMPLES_KEY])
        skipped_prefix = os.path.join(examples.uri, SKIPPED_FILE)
        exec_properties = dict(exec_properties, **{_SKIPPED_PATH_KEY: skipped_prefix})
        examples.split_names = artifact_utils.encode_split_names(_splits(exec_properties)[1])
        with self._make_beam_pipeline() as pipeline:
            for name, split in self.GenerateExamplesByBeam(pipeline, exec_properties).items():
                _ = split | f"WriteSplit[{name}]" >> write.WriteSplit(artifact_utils.get_split_uri([examples], name))
        payload_format = exec_properties.get(standard_component_specs.OUTPUT_DATA_FORMAT_KEY)
        if payload_format:
            examples_utils.set_payload_format(examples, payload_format)
        file_format = exec_properties.get(standard_component_specs.OUTPUT_FILE_FORMAT_KEY)
        if file_format:  # gzipped TFRecords, the only format there is (and what write.py writes)
            examples_utils.set_file_format(examples, write_split.to_file_format_str(file_format))
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
