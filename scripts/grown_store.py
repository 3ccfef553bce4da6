"""A metadata store grown as a year of a scheduled pipeline grows it, from a store of real runs:
the newest run cloned once a day (a new span: every node's execution and new output artifacts,
with the lineage, contexts and properties of the original, pointing at its files), and between
those clones the cached reruns of the hours with nothing new (every node's execution CACHED,
its events on the newest clone's artifacts, as TFX records a cache hit). For
scripts/benchmark_store_growth.py: what TFX's own queries during a run (input resolution, the
cache lookup) cost on such a store.

The clones' artifacts keep the original's properties (an Examples keeps its span, so a new run
of a later span resolves the same window), a ModelBlessing's model id points at its clone's
Model, and no clone joins a cache context (a clone is never a cache hit for a new run). Unlike
a year of real runs: every clone reads the original run's older window spans (each read by
every clone, where a sliding window's span is read by about three days of runs), a blessing's
baseline id stays the original's, and the cached reruns' Resolver executions are CACHED (TFX
records them COMPLETE).
"""
from __future__ import annotations

import copy

from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

OUTPUTS = (pb.Event.OUTPUT, pb.Event.DECLARED_OUTPUT, pb.Event.INTERNAL_OUTPUT, pb.Event.PENDING_OUTPUT)
MODEL_ID_PROPERTIES = ("current_model_id", "baseline_model_id")  # a ModelBlessing's, of the models it compared


def open_store(path: str) -> metadata_store.MetadataStore:
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = path
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    return metadata_store.MetadataStore(config)


class Template:
    """The newest run of a store: its executions in order, their events, artifacts and contexts."""

    def __init__(self, store: metadata_store.MetadataStore):
        run_type = store.get_context_type("pipeline_run")
        runs = store.get_contexts_by_type(run_type.name)
        if not runs:
            raise ValueError("the store has no pipeline run to clone")
        self.run = max(runs, key=lambda c: c.id)
        self.executions = sorted(store.get_executions_by_context(self.run.id), key=lambda e: e.id)
        events = store.get_events_by_execution_ids([e.id for e in self.executions])
        self.events = {e.id: [v for v in events if v.execution_id == e.id] for e in self.executions}
        self.artifacts = {a.id: a for a in store.get_artifacts_by_id(sorted({v.artifact_id for v in events}))}
        self.clones = dict(self.artifacts)  # and the clones' artifacts, as clone_run makes them
        # artifact -> the execution that made it (the first with an output event on it: a
        # Resolver's output events are on artifacts that earlier executions made)
        self.producer: dict[int, int] = {}
        for event in store.get_events_by_artifact_ids(list(self.artifacts)):
            if event.type in OUTPUTS:
                self.producer[event.artifact_id] = min(event.execution_id,
                                                       self.producer.get(event.artifact_id, event.execution_id))
        cache_type = store.get_context_type("execution_cache")
        self.contexts = {e.id: [c for c in store.get_contexts_by_execution(e.id)
                                if c.id != self.run.id and c.type_id != cache_type.id] for e in self.executions}


def _bare(message, run: str):
    """A copy of an MLMD proto without the fields the store sets (id, times), its name (unique
    per type) made the run's."""
    clone = copy.deepcopy(message)
    for field in ("id", "create_time_since_epoch", "last_update_time_since_epoch"):
        clone.ClearField(field)
    if clone.name:
        clone.name = f"{clone.name}@{run}"
    return clone


def _event(event: pb.Event) -> pb.Event:
    clone = copy.deepcopy(event)
    for field in ("artifact_id", "execution_id", "milliseconds_since_epoch"):
        clone.ClearField(field)
    return clone


def clone_run(store: metadata_store.MetadataStore, template: Template, name: str,
              outputs: dict[int, int] | None = None, cached: bool = False) -> dict[int, int]:
    """One run like the template's, in a new pipeline_run context `name`. Not `cached`: every
    output artifact new (returns the template's artifact ids -> the clones'); `cached`: the
    executions CACHED, their events on the artifacts of `outputs` (a clone's map)."""
    run_id = store.put_contexts([pb.Context(type_id=template.run.type_id, name=name)])[0]
    mapped = dict(outputs or {})
    protos = template.clones  # artifact id -> its proto (with the id): the template's and its clones'
    for execution in template.executions:
        new_execution = _bare(execution, name)
        if cached:
            new_execution.last_known_state = pb.Execution.CACHED
        pairs, created = [], []
        for event in template.events[execution.id]:
            original = template.artifacts[event.artifact_id]
            if event.type in OUTPUTS and not cached and template.producer.get(event.artifact_id) == execution.id:
                artifact = _bare(original, name)
                for key in MODEL_ID_PROPERTIES:
                    if key in artifact.custom_properties:
                        old = artifact.custom_properties[key].int_value
                        artifact.custom_properties[key].int_value = mapped.get(old, old)
                created.append(event.artifact_id)
            else:  # an input (or a cached output): the artifact itself, as the run's map says
                artifact = protos[mapped.get(event.artifact_id, event.artifact_id)]
            pairs.append((artifact, _event(event)))
        contexts = [*template.contexts[execution.id], pb.Context(id=run_id, type_id=template.run.type_id, name=name)]
        _, artifact_ids, _ = store.put_execution(new_execution, pairs, contexts, reuse_context_if_already_exist=True)
        for index, (artifact, _) in enumerate(pairs):
            if not artifact.HasField("id"):
                artifact.id = artifact_ids[index]
                protos[artifact.id] = artifact
                mapped[template.events[execution.id][index].artifact_id] = artifact.id
    return mapped


def grow(path: str, days: int, reruns_per_day: int, progress=None) -> dict:
    """The store at `path` grown by `days` clones of its newest run, each followed by
    `reruns_per_day` cached reruns; counts of what it holds after."""
    store = open_store(path)
    template = Template(store)
    for day in range(days):
        outputs = clone_run(store, template, f"{template.run.name}-day-{day}")
        for hour in range(reruns_per_day):
            clone_run(store, template, f"{template.run.name}-day-{day}-rerun-{hour}", outputs, cached=True)
        if progress:
            progress(day + 1)
    return {"executions": len(store.get_executions()), "artifacts": len(store.get_artifacts()),
            "runs": len(store.get_contexts_by_type("pipeline_run"))}
