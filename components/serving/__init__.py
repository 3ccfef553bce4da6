"""The model server: the pushed model's `predict_text` behind KServe's V1 and V2 protocols.

  python -m components.serving --serving-dir DIR     the newest version, polling for new ones
  python -m components.serving --model-dir DIR       one SavedModel (a candidate), no polling
  imdb-tfx serve                                      the same, on the config's serving dir

versions.py (what a complete version is), model.py + canary.py (one loaded, checked version),
manager.py (which version is served), batching.py (concurrent requests -> one model call),
protocol.py (requests -> texts, bad requests), kserve_model.py + routes.py + server.py (KServe),
settings.py (flags), client.py (a standard-library client: wait_ready, predict, status).
Importing this package imports neither TensorFlow nor kserve (docs/serving.md).
"""
