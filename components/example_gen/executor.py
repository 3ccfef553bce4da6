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
Spans (spans.py): with the input pattern `span-{SPAN}/*`, TFX's driver hands this executor the
pattern of one span folder (`span-3/*`), which holds an aclImdb tree, an archive of one, or
labelled files (*.jsonl / *.csv: labelled_files.py). The test split is the custom_config
`test_data` file when there is one (the official test reviews are then left out), else the
span's official test reviews when it has any, else a held-out part of its train reviews: the
hashed review ids in the `held_out_test_percent` buckets after eval's (reviews.route).
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
from components.example_gen import guard, labelled_files, snippet_sets, spans, write
from components.example_gen.layout import ARCHIVE_SUFFIXES, LABELLED_PARTS
from components.example_gen.reviews import ImdbDataError, parse_review, review_id, route
from components.example_gen.sources import Skipped, list_files, read_archive, read_file

SKIPPED_FILE = "skipped_reviews.txt"
HELD_OUT_TEST_PERCENT = 20  # a span without an official test: this share of its reviews is the test split
_SKIPPED_PATH_KEY = "_skipped_reviews_path"


class _ParseReview(beam.DoFn):
    SKIPPED = "skipped"

    def __init__(self, source: str):
        self._source = source
        self._skipped = beam.metrics.Metrics.counter("imdb_example_gen", "skipped_reviews")

    def process(self, item):
        path, content = item
        # A member of an archive that is not a file (a link...): skipped, with why (sources.py).
        result = str(content) if isinstance(content, Skipped) else parse_review(path, content, self._source)
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
    input_base = exec_properties[standard_component_specs.INPUT_BASE_KEY]
    source = os.path.join(input_base, split_pattern)
    label = split_pattern.replace("*", "x")
    span_dir = spans.span_dir_of_pattern(input_base, split_pattern)
    if span_dir is not None:
        kind, paths = spans.span_kind(span_dir)
        if kind == spans.LABELLED:  # small files: read here, each row an Example already
            return (pipeline | f"Labelled[{label}]" >> beam.Create(paths)
                    | f"ReadLabelled[{label}]" >> beam.FlatMap(labelled_files.file_examples))
        # an aclImdb tree (its train/ and test/ reviews) or an archive of one
        source = paths[0] if kind == spans.ARCHIVE else [os.path.join(paths[0], part, "*", "*")
                                                          for part in ("train", "test")]
    if isinstance(source, list):
        files = (pipeline | f"Pattern[{label}]" >> beam.Create(source)
                 | f"ListFiles[{label}]" >> beam.FlatMap(list_files, include_unsup)
                 | f"ShuffleFiles[{label}]" >> beam.Reshuffle()
                 | f"ReadFiles[{label}]" >> beam.Map(read_file))
        source = span_dir
    elif source.endswith(ARCHIVE_SUFFIXES):
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


def check_counts(counts: dict[tuple[str, str], int], split_names: list[str], source: str,
                 official_test: str = "required") -> None:
    """Raises if a labelled folder or an output split has no reviews. `official_test`: "required"
    (a single aclImdb dataset), "optional" (a span: test/pos and test/neg both or neither).
    An official test review counted under output split DROPPED (--test-data) still counts."""
    has_test = any(n for ((split, _), _), n in counts.items() if split == features.TEST_SPLIT)
    parts = LABELLED_PARTS if official_test == "required" or has_test else LABELLED_PARTS[:2]
    for part in parts:
        if not any(n for (rid_part, _), n in counts.items() if rid_part == part):
            raise ImdbDataError(f"{source}: no reviews under aclImdb/{part[0]}/{part[1]}/ "
                                "(missing or empty folder; labelled files: no rows of label "
                                f"{1 if part[1] == 'pos' else 0})")
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
        unknown = set(split_names) - {features.TRAIN_SPLIT, features.EVAL_SPLIT, features.TEST_SPLIT, features.UNSUP_SPLIT,
                                       guard.SPLIT}
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
        if snippet_reviews and features.TEST_SPLIT not in split_names:
            raise ValueError("snippet sets are cut from split 'test', which is not asked for")
        eval_percent = int(config.get("eval_percent", 10))
        held_out = int(config.get("held_out_test_percent", HELD_OUT_TEST_PERCENT))
        test_data = config.get("test_data") or ""
        source = exec_properties[standard_component_specs.INPUT_BASE_KEY]

        # The guard split's pattern only gives TFX's driver a file to fingerprint; its rows
        # come from the guard files (their content hash is in custom_config: the cache key)
        # and from the test split's reviews (the snippet sets).
        patterns = sorted({s.pattern for s in input_config.splits if s.name != guard.SPLIT})
        examples = [pipeline | f"Read[{p}]" >> ImdbToExample(exec_properties, p) for p in patterns]
        examples = examples | "Flatten" >> beam.Flatten() if len(examples) > 1 else examples[0]
        span_dir = spans.span_dir_of_pattern(source, patterns[0])
        if span_dir is None:  # one aclImdb dataset: its official test split, or --test-data
            keyed = examples | "Route" >> beam.Map(
                lambda ex: (route(review_id(ex), eval_percent, official_test=not test_data), ex))
        else:  # a span: the test split as the module docstring says
            source = span_dir
            official = (examples | "OfficialTest" >> beam.Filter(lambda ex: review_id(ex).startswith("test/"))
                        | "CountOfficialTest" >> beam.combiners.Count.Globally())
            keyed = examples | "Route" >> beam.Map(
                lambda ex, n: (route(review_id(ex), eval_percent, 0 if n or test_data else held_out,
                                     official_test=not test_data), ex),
                beam.pvalue.AsSingleton(official))
        if span_dir is None and len(patterns) == 1 and patterns[0].endswith(ARCHIVE_SUFFIXES):
            source = os.path.join(source, patterns[0])  # errors about the data name the archive, not its folder
        checked = [n for n in split_names if n != guard.SPLIT and not (test_data and n == features.TEST_SPLIT)]
        _ = (keyed
             | "CountKey" >> beam.Map(_count_key)
             | "Count" >> beam.combiners.Count.PerElement()
             | "ToDict" >> beam.combiners.ToDict()
             | "Check" >> beam.Map(check_counts, checked, source,
                                   "required" if span_dir is None and not test_data else "optional"))

        partitions = keyed | "Partition" >> beam.Partition(
            lambda kv, n: split_names.index(kv[0]) if kv[0] in split_names else n - 1,
            len(split_names) + 1)
        outputs = {name: partitions[i] | f"Values[{name}]" >> beam.Values()
                   for i, name in enumerate(split_names) if name != guard.SPLIT}
        if test_data and features.TEST_SPLIT in outputs:  # the fixed test set, read here (ImdbDataError for a broken one)
            outputs[features.TEST_SPLIT] = pipeline | "TestData" >> beam.Create(
                labelled_files.file_examples(test_data, features.TEST_SPLIT, "--test-data"))
        extra = []
        if guard_sets:  # small files, read here (ImdbDataError for a broken one)
            extra.append(pipeline | "Guard" >> beam.Create(guard.guard_examples(guard_sets)))
        if snippet_reviews:
            extra.append(snippet_sets.snippet_split(outputs[features.TEST_SPLIT], snippet_reviews, snippet_names))
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
        # TFX's driver records the span (and version) as custom properties; TFX's span resolver
        # functions (rolling_range, static_range: pipeline/span_stages.py) read the artifact's
        # properties of those names: both say the same.
        examples.span = int(exec_properties.get(utils.SPAN_PROPERTY_NAME) or 0)
        examples.version = int(exec_properties.get(utils.VERSION_PROPERTY_NAME) or 0)
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
