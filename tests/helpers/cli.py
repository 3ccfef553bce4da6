"""`imdb-tfx run` in the test's process, as the e2e tests drive it: exit status, the JSON summary
(stdout must hold it alone) and stderr."""
import json

from app.cli import main as cli


def run(capsys, root, small_corpus, flags: list[str], *extra: str) -> tuple[int, dict, str]:
    """`imdb-tfx run` on the small corpus with its root and serving directory under `root`."""
    data, module = small_corpus
    code = cli.main(["run", "--data", data, "--module", module, "--pipeline-root", str(root / "root"),
                     "--serving-dir", str(root / "serving"), *flags, *extra])
    out, err = capsys.readouterr()
    assert out.startswith("{"), f"stdout is not the JSON summary alone (exit {code}); stderr ends:\n{err[-3000:]}"
    return code, json.loads(out), err
