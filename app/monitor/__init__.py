"""`imdb-tfx monitor`: the model server's request log read back (window.py), the training data of
the version that answered it found through the metadata store (lineage.py), the drift checks
of components/drift between the two (check.py), the HTML page (page.py) and the logged texts
exported as a span to label (export.py). docs/monitoring.md."""
