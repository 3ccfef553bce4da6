"""The private TFX orchestration API the pipeline uses, in one place.

The hooks, and why each is still private:

- The runners' `logging` module attribute (`tfx.orchestration.local.local_dag_runner.logging`,
  `tfx.orchestration.beam.beam_dag_runner.logging`) and the messages the runners log through it
  (RUNNER_MESSAGES): progress.py stands in for that module while a run lasts, and turns the
  messages into progress lines. LocalDagRunner and BeamDagRunner have no progress callback, and
  absl's logger goes quiet once a component (TFT, Beam) lowers the verbosity; the public
  alternative, polling MLMD's executions from a second thread while the runner blocks, would
  report a component only after TFX publishes it, not when it starts.
- Exec properties added after construction (`add_exec_property`): a property the component's
  ComponentSpec does not declare, written into `component.exec_properties`; TFX compiles every
  exec property into the node's parameters, which are in the cache key. TFX's Evaluator and
  ImportSchemaGen take no custom_config, and this is how their code version and the schema's
  content hash reach their cache keys.
- `component.executor_spec` set after construction (`set_executor`): TFX's Transform and
  Evaluator constructors take no custom executor spec.
- The channel resolver's `_get_executions_by_all_contexts` (CHANNEL_RESOLVER), replaced while a
  run lasts by one filter query (pipeline/channel_queries.py): TFX lists every execution of the
  pipeline for each input it resolves, minutes on a store of a year of runs; there is no public
  hook into input resolution.

tests/unit/pipeline/test_private_hooks.py checks each against the installed TFX.
"""
from __future__ import annotations

from components.private_api import Hook

# {runner module: {message format: the event it means}}
RUNNER_MESSAGES = {
    "tfx.orchestration.local.local_dag_runner": {
        "Component %s is running.": "running", "Component %s is finished.": "finished",
        "Skipping component %s.": "skipped"},
    "tfx.orchestration.beam.beam_dag_runner": {
        "node %s is running.": "running", "node %s is finished.": "finished",
        "Node %s is skipped in this partial run.": "skipped"},
}
CHANNEL_RESOLVER = "tfx.orchestration.portable.input_resolution.channel_resolver"
LOCAL_RUNNER_MESSAGES = RUNNER_MESSAGES["tfx.orchestration.local.local_dag_runner"]
BEAM_RUNNER_MESSAGES = RUNNER_MESSAGES["tfx.orchestration.beam.beam_dag_runner"]

HOOKS = [
    *(Hook(f"{module}:logging", "no progress callback; absl's logger can be silenced by components")
      for module in RUNNER_MESSAGES),
    *(Hook(f"{module}:", "the messages progress.py reads", source_has=(*messages, "logging.info("))
      for module, messages in RUNNER_MESSAGES.items()),
    Hook("tfx.dsl.components.base.base_node:BaseNode.exec_properties", "no custom_config on Evaluator and "
         "ImportSchemaGen", check=lambda prop: None if isinstance(prop, property) else "no longer a property"),
    Hook("tfx.dsl.compiler.compiler:_set_node_parameters", "every exec property is compiled into the node's "
         "parameters (the cache key)", params=("node", "tfx_node"),
         source_has=("for key, value in tfx_node.exec_properties.items():",)),
    Hook(f"{CHANNEL_RESOLVER}:_get_executions_by_all_contexts", "no public hook into input resolution; "
         "pipeline/channel_queries.py replaces it", params=("store", "contexts")),
    Hook(f"{CHANNEL_RESOLVER}:resolve_single_channel", "resolves every input channel through the function "
         "pipeline/channel_queries.py replaces", source_has=("_get_executions_by_all_contexts(store, contexts)",)),
]


def runner_logging(runner_module):
    """The `logging` module a TFX runner module logs its progress through."""
    return runner_module.logging


def set_runner_logging(runner_module, logging_module) -> None:
    """Makes the runner module log through `logging_module` (progress.Progress), or restores it."""
    runner_module.logging = logging_module


def add_exec_property(component, name: str, value) -> None:
    """An exec property `component`'s spec does not declare, so that it is in its cache key."""
    component.exec_properties[name] = value


def set_executor(component, spec) -> None:
    """`component` running the executor of `spec` (a constructor without custom_executor_spec)."""
    component.executor_spec = spec
