"""Transform's module code: preprocessing.py (`preprocessing_fn`), text_features.py, embedding.py, executor.py."""
