"""deploy/kserve/*.yaml: both InferenceServices read into KServe's V1beta1InferenceService (every
field known to its schema: a round trip gives the file back), and agree with the code: the
image runs `imdb-tfx serve` with the server's port, model name and KServe's model mount, the
probes are routes the server answers, the TF Serving runtime is new enough for the model."""
import json
import os

import pytest
import yaml

from tests.helpers.paths import ROOT

DEPLOY = os.path.join(ROOT, "deploy", "kserve")


def api_client():
    """KServe's ApiClient, which knows kserve.models only, reading the Kubernetes types it refers
    to (V1ObjectMeta, V1Container, ...) with the Kubernetes client's."""
    import kserve
    import kubernetes.client

    kubernetes_api = kubernetes.client.ApiClient()

    class ApiClient(kserve.ApiClient):
        def _ApiClient__deserialize(self, data, klass):  # the name-mangled private method it calls
            if isinstance(klass, str) and not hasattr(kserve.models, klass) and hasattr(kubernetes.client.models, klass):
                return kubernetes_api._ApiClient__deserialize(data, klass)
            return super()._ApiClient__deserialize(data, klass)

    return ApiClient()


def missing(document, round_trip, where="") -> list[str]:
    """The paths of document's values that the round trip lost (it may add defaults, e.g. name: "")."""
    if isinstance(document, dict) and isinstance(round_trip, dict):
        return [p for k, v in document.items() for p in missing(v, round_trip.get(k), f"{where}.{k}")]
    if isinstance(document, list) and isinstance(round_trip, list) and len(document) == len(round_trip):
        return [p for i, (a, b) in enumerate(zip(document, round_trip)) for p in missing(a, b, f"{where}[{i}]")]
    return [] if document == round_trip else [where]


def load(name: str):
    with open(os.path.join(DEPLOY, name)) as f:
        document = yaml.safe_load(f)

    class Response:  # what ApiClient.deserialize reads: an HTTP response's JSON body
        data = json.dumps(document)

    api = api_client()
    service = api.deserialize(Response(), "V1beta1InferenceService")
    lost = missing(document, api.sanitize_for_serialization(service))
    assert not lost, f"fields KServe's schema does not know (or misspelt): {lost}"
    assert (service.api_version, service.kind) == ("serving.kserve.io/v1beta1", "InferenceService")
    return service


@pytest.fixture(scope="module")
def server_app(tmp_path_factory):
    """KServe's FastAPI app with the server's routes (components/serving/routes.py)."""
    from kserve.model_repository import ModelRepository
    from kserve.protocol.dataplane import DataPlane
    from kserve.protocol.model_repository_extension import ModelRepositoryExtension
    from kserve.protocol.rest.server import RESTServer

    from components.serving import routes
    from components.serving.kserve_model import ImdbModel
    from components.serving.manager import VersionManager
    from components.serving.settings import DEFAULT_MODEL_NAME

    repository = ModelRepository()
    app = RESTServer(DataPlane(repository), ModelRepositoryExtension(repository)).create_application()
    manager = VersionManager(lambda path: None, model_dir=str(tmp_path_factory.mktemp("model")))
    routes.customize(app, ImdbModel(DEFAULT_MODEL_NAME, manager, 64, 2, 100), 1024)
    return app


def answers_get(app, path: str) -> bool:
    from starlette.routing import Match

    scope = {"type": "http", "method": "GET", "path": path}
    return any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)


def test_the_custom_predictor_runs_the_project_server(server_app):
    from kserve.model_repository import MODEL_MOUNT_DIRS

    from app.cli import main as cli
    from components.serving import settings

    predictor = load("custom-predictor.yaml").spec.predictor
    (container,) = predictor.containers
    assert container.name == "kserve-container"  # the name KServe's storage initializer and metrics expect
    assert container.image.rsplit("/", 1)[-1].split(":")[0] == "imdb-tfx"
    assert container.command == ["imdb-tfx", "serve"]
    assert "imdb-tfx=app.cli.main:main" in open(os.path.join(ROOT, "setup.py")).read()  # the image's console script
    args = cli.build_parser().parse_args(container.command[1:] + container.args)
    assert args.func.__module__ == "app.cli.serve"
    assert args.serving_dir == MODEL_MOUNT_DIRS  # where the storage initializer puts STORAGE_URI
    assert (args.port, args.model_name) == (settings.DEFAULT_PORT, settings.DEFAULT_MODEL_NAME)
    (port,) = container.ports
    assert (port.container_port, port.protocol) == (args.port, "TCP")
    env = {e.name: e.value for e in container.env}
    assert env["STORAGE_URI"].startswith("pvc://") and env["STORAGE_URI"].endswith("/serving_model")
    for probe in (container.readiness_probe, container.liveness_probe):
        assert probe.http_get.port == args.port and answers_get(server_app, probe.http_get.path), probe.http_get.path
    assert container.readiness_probe.http_get.path == f"/v1/models/{args.model_name}"  # 503 until a version is served


def test_the_tensorflow_runtime_serves_the_pushed_versions():
    import tensorflow as tf

    from pipeline.configs import PipelineConfig

    model = load("tensorflow-serving.yaml").spec.predictor.model
    assert model.model_format.name == "tensorflow" and model.protocol_version == "v1"
    assert model.storage_uri.startswith("pvc://")
    assert os.path.basename(model.storage_uri) == os.path.basename(PipelineConfig().serving_dir)
    runtime = tuple(int(p) for p in model.runtime_version.split(".")[:2])
    assert runtime >= tuple(int(p) for p in tf.__version__.split(".")[:2])


def test_the_grpc_predictor_exposes_the_grpc_port():
    """The same server and serving directory as the REST predictor, its gRPC port the one port
    (named h2c: Knative routes HTTP/2 there), probed by TCP (it opens once a version is served)."""
    from app.cli import main as cli

    rest = load("custom-predictor.yaml").spec.predictor.containers[0]
    (container,) = load("custom-predictor-grpc.yaml").spec.predictor.containers
    assert (container.name, container.image, container.command) == ("kserve-container", rest.image, rest.command)
    args = cli.build_parser().parse_args(container.command[1:] + container.args)
    rest_args = cli.build_parser().parse_args(rest.command[1:] + rest.args)
    assert (args.serving_dir, args.model_name, args.port) == (rest_args.serving_dir, rest_args.model_name, rest_args.port)
    assert rest_args.grpc_port == 0 and args.grpc_port == 8081  # KServe's gRPC port
    (port,) = container.ports
    assert (port.name, port.container_port, port.protocol) == ("h2c", args.grpc_port, "TCP")
    for probe in (container.readiness_probe, container.liveness_probe):
        assert probe.tcp_socket.port == args.grpc_port and probe.http_get is None
    assert {e.name: e.value for e in container.env} == {e.name: e.value for e in rest.env}
