"""The model server: the pushed model's `predict_text` behind KServe's V1 and V2 protocols
(REST, JSON or binary tensors; gRPC with --grpc-port) and TF Serving's REST surface.

  python -m components.serving --serving-dir DIR     the newest version, polling for new ones
  python -m components.serving --model-dir DIR       one SavedModel (a candidate), no polling
  imdb-tfx serve                                      the same, on the config's serving dir

versions.py (what a complete version is), served_model.py + canary.py (one loaded, checked version),
manager.py (which version is served), batching.py (concurrent requests -> one model call),
protocol.py (requests -> texts, bad requests), kserve_model.py + routes.py + server.py (KServe),
settings.py (flags), client.py (a standard-library client: wait_ready, predict, status);
the other protocols, each through the same data plane and model: v2_binary.py + rest_protocols.py
(V2 binary tensors, pinned versions), tf_serving_rest.py (columnar, :classify, /metadata),
grpc_service.py (V2 gRPC), loaded_versions.py (--keep-versions), routed.py, protocol_clients.py.
Importing this package imports neither TensorFlow nor kserve (docs/serving.md).
"""
