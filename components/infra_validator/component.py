"""InfraValidator: blesses a candidate that the model server serves correctly (canary.py);
the Pusher pushes only a model with both this InfraBlessing and the Evaluator's blessing."""
import json
import os

from tfx.dsl.component.experimental.annotations import InputArtifact, OutputArtifact, Parameter
from tfx.dsl.component.experimental.decorators import component
from tfx.types import standard_artifacts

from components.infra_validator import canary, local_files
from components.paths import is_remote, write_text

RESULTS_FILE = canary.RESULTS_FILE
LOG_FILE = "server.log"


@component
def InfraValidator(model: InputArtifact[standard_artifacts.Model],
                   model_blessing: InputArtifact[standard_artifacts.ModelBlessing],
                   examples: InputArtifact[standard_artifacts.Examples],
                   blessing: OutputArtifact[standard_artifacts.InfraBlessing],
                   canary_reviews: Parameter[int] = 16,
                   timeout_s: Parameter[int] = 300,
                   code_version: Parameter[str] = "",
                   protocols: Parameter[str] = ",".join(canary.PROTOCOLS)) -> None:
    """Serves the candidate and checks canary requests (`canary_reviews` test reviews and edge
    cases) on each of `protocols` (comma-separated: rest, v2-binary, grpc; those the deployment
    enables, deploy/kserve/). A candidate the Evaluator did not bless is not served (it would not be pushed).
    Writes INFRA_BLESSED or INFRA_NOT_BLESSED, the canary results and the server's log."""
    from tfx.utils import path_utils

    del code_version  # part of the cache key only
    if model_blessing.get_int_custom_property("blessed") != 1:
        result = canary.CanaryResult(False, canary.NOT_TRIED)
    else:
        model_dir = path_utils.serving_model_path(model.uri, path_utils.is_old_model_artifact(model))
        texts = canary.canary_texts(examples.uri, canary_reviews)
        # gs:// on a cluster: the server serves a local copy and logs locally (local_files.py)
        with local_files.served_locally(model_dir, os.path.join(blessing.uri, LOG_FILE)) as (served, log):
            result = canary.run_canary(served, texts, log, timeout=timeout_s, pid_dir=_pid_dir(blessing.uri),
                                       protocols=tuple(p.strip() for p in protocols.split(",") if p.strip()))
            result.reason = result.reason.replace(served, model_dir)  # the candidate, not a removed copy
    write_text(os.path.join(blessing.uri, RESULTS_FILE), json.dumps(result.to_json(), indent=2))
    write_text(os.path.join(blessing.uri, "INFRA_BLESSED" if result.blessed else "INFRA_NOT_BLESSED"), "")
    blessing.set_int_custom_property("blessed", int(result.blessed))
    blessing.set_string_custom_property("reason", result.reason)


def _pid_dir(blessing_uri: str) -> str | None:
    """Where the server's pid file goes: `<pipeline root>/.children` (the artifact is
    `<root>/<node>/blessing/<execution id>`), where the next run looks for a server that
    outlived its run (components/process_supervisor.py); None for a remote root."""
    from components import process_supervisor

    if is_remote(blessing_uri):
        return None
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(blessing_uri))))
    return process_supervisor.children_dir(root)
