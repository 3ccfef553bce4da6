"""TF-Hub-format text-embedding modules: hub.py, word_embedding.py (GloVe, random), minilm.py, registry.py."""
