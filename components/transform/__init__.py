"""Transform's module code: preprocessing.py (`preprocessing_fn`), text_features.py, embedding.py, executor.py."""

# The custom_config key and the transformed examples' custom property of a span transformed
# alone (executor.py), which the pipeline's window of transformed spans filters on
# (pipeline/span_stages.py); here so that the pipeline reads it without importing TFX's Transform.
WINDOW_KEY = "window_key"
