"""The custom ExampleGen executor for the aclImdb layout: layout.py, reviews.py, sources.py, executor.py."""
