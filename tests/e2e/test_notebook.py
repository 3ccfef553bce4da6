"""notebooks/tfma_results.ipynb runs headless on the small run (so it cannot rot) and renders
TFMA's slicing-metrics widget and TFDV's statistics view."""
import os

import nbformat
import pytest
from nbconvert.preprocessors import ExecutePreprocessor

from tests.helpers.paths import ARTIFACTS, ROOT

NOTEBOOK = os.path.join(ROOT, "notebooks", "tfma_results.ipynb")
pytestmark = pytest.mark.e2e


def test_notebook_executes_on_the_small_run(small_run, monkeypatch):
    config, _ = small_run
    monkeypatch.setenv("IMDB_TFX_METADATA_PATH", config.metadata_path)
    monkeypatch.setenv("IMDB_TFX_PIPELINE_ROOT", config.pipeline_root)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # kernel "python3" runs this interpreter (the venv's): jupyter_client substitutes sys.executable.
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(notebook, {"metadata": {"path": ROOT}})
    os.makedirs(ARTIFACTS, exist_ok=True)
    nbformat.write(notebook, os.path.join(ARTIFACTS, "tfma_results.executed.ipynb"))

    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    mime_types = [m for o in outputs for m in o.get("data", {})]
    assert mime_types.count("application/vnd.jupyter.widget-view+json") == 2  # by rating, by length bucket
    assert any("facets-overview" in o.get("data", {}).get("text/html", "") for o in outputs)
    assert any("blessed" in o.get("text", "") for o in outputs)
