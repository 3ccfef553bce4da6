"""Guard set files: parsing, the one-line errors for broken ones, and their examples."""
import json

import pytest

from components.example_gen import guard
from components.example_gen.reviews import ImdbDataError


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    return str(path)


def test_json_lines_and_csv_are_read(tmp_path):
    jsonl = write(tmp_path, "a.jsonl", '{"text": "Great.", "label": 1}\n\n{"text": "Bad.", "label": 0}\n')
    assert guard.read_guard_file(jsonl) == [("Great.", 1, 1), ("Bad.", 0, 3)]
    csv = write(tmp_path, "b.csv", 'text,label\n"Fine, really.",1\nAwful,0\n')
    assert guard.read_guard_file(csv) == [("Fine, really.", 1, 2), ("Awful", 0, 3)]
    assert guard.check_guard_sets([("a", jsonl), ("b", csv)]) == {"a": 2, "b": 2}


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_csv_lines_may_end_in_any_newline(tmp_path, ending):
    """Windows' CRLF and old Mac / spreadsheet exports' bare CR (a quoted text keeps its breaks)."""
    csv = write(tmp_path, "b.csv", ending.join(["text,label", "Good,1", '"Two' + ending + 'lines",0', ""]))
    assert guard.read_guard_file(csv) == [("Good", 1, 2), ("Two" + ending + "lines", 0, 4)]


def test_examples_carry_dataset_and_no_rating(tmp_path):
    path = write(tmp_path, "a.jsonl", json.dumps({"text": "Great.", "label": 1}) + "\n")
    (example,) = guard.guard_examples([("tweets", path)])
    f = example.features.feature
    assert f["dataset"].bytes_list.value == [b"tweets"]
    assert f["review_id"].bytes_list.value == [b"guard/tweets/1"]
    assert f["label"].int64_list.value == [1] and "rating" not in f


@pytest.mark.parametrize("name, content, message", [
    ("a.jsonl", '{"text": "ok", "label": 1}\n{"text": "ok", \n', "a.jsonl:2: not a JSON line"),
    ("a.jsonl", '{"label": 1}\n', "a.jsonl:1: missing or empty \"text\""),
    ("a.jsonl", '{"text": "  ", "label": 1}\n', "a.jsonl:1: missing or empty \"text\""),
    ("a.jsonl", '{"text": "ok"}\n', "a.jsonl:1: \"label\" must be 0 or 1"),
    ("a.jsonl", '{"text": "ok", "label": 2}\n', "a.jsonl:1: \"label\" must be 0 or 1"),
    ("a.jsonl", '{"text": "ok", "label": true}\n', "a.jsonl:1: \"label\" must be 0 or 1"),
    ("a.jsonl", '[1, 2]\n', "a.jsonl:1: expected an object"),
    ("a.jsonl", "\n\n", "a.jsonl: guard set file has no rows"),
    ("a.csv", "text,stars\nok,1\n", "a.csv:1: CSV header lacks label"),
    ("a.csv", "text,label\nok,-1\n", "a.csv:2: \"label\" must be 0 or 1"),
    ("a.csv", "", "a.csv: guard set file has no rows"),
    ("a.csv", 'text,label\n"unclosed,1\nok,0\n', "a.csv:2: bad CSV: unexpected end of data"),  # not one long text
    ("a.csv", 'text,label\nok,1\n"a"b,0\n', "a.csv:3: bad CSV: ',' expected after '\"'"),
    ("a.csv", 'text,label\nok,1\n\n\n"unclosed,1\n', "a.csv:5: bad CSV: unexpected end of data"),  # blank lines
])
def test_broken_files_raise_naming_file_and_line(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(ImdbDataError, match="^" + str(tmp_path).replace("\\", "\\\\") + "/" + message.replace("(", r"\(")):
        guard.check_guard_sets([("g", path)])


def test_missing_file_bad_name_and_duplicate(tmp_path):
    path = write(tmp_path, "a.jsonl", '{"text": "ok", "label": 1}\n')
    with pytest.raises(ImdbDataError, match="nope.jsonl: guard set file not found"):
        guard.check_guard_sets([("g", str(tmp_path / "nope.jsonl"))])
    for bad in ("Tweets", "1st", "a-b", "", "imdb", "x" * 41):
        with pytest.raises(ImdbDataError, match="guard set name"):
            guard.check_guard_sets([(bad, path)])
    with pytest.raises(ImdbDataError, match="'g' given twice"):
        guard.check_guard_sets([("g", path), ("g", path)])


def test_fingerprint_follows_content(tmp_path):
    path = write(tmp_path, "a.jsonl", '{"text": "ok", "label": 1}\n')
    before = guard.fingerprint([("g", path)])
    assert guard.fingerprint([("g", path)]) == before
    write(tmp_path, "a.jsonl", '{"text": "ok", "label": 0}\n')
    assert guard.fingerprint([("g", path)]) != before
