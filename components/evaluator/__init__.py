"""The Evaluator's TFMA configuration (eval_config.py)."""
