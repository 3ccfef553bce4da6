"""One model server for the protocol tests (test_v2_binary.py, test_grpc.py,
test_tf_serving_rest.py): a serving directory with two versions of the tiny model (each with
predict_text and serving_default), the newer served and the older kept loaded
(--keep-versions 2), REST and gRPC on free loopback ports. Started once per session, only when
one of those modules asks for it.
"""
import time

import pytest

from components.infra_validator.canary import free_ports
from components.serving import client
from tests.helpers import models
from tests.unit.components.serving.server_process import start_server

OLD, NEW = 1700000000, 1700000100
MAX_INSTANCES = 50


class Protocols:
    """The running server (.url, .grpc_target), its two versions' model paths and its request log."""

    def __init__(self, server, grpc_port: int, paths: dict, request_log: str = ""):
        self.server = server
        self.request_log = request_log
        self.url = server.url
        self.host_port = server.url[len("http://"):]
        self.grpc_target = f"127.0.0.1:{grpc_port}"
        self.paths = paths


@pytest.fixture(scope="session")
def protocols(tmp_path_factory):
    serving_dir = tmp_path_factory.mktemp("protocols-serving")
    paths = {}
    for version, seed in ((OLD, 7), (NEW, 8)):
        paths[version] = models.build_model(str(tmp_path_factory.mktemp("m") / f"m{seed}"), seed=seed, examples=True)
        models.push(paths[version], str(serving_dir), version)
    rest_port, grpc_port = free_ports(2)  # bound together: never the same port (with REST on port 0, it could be)
    request_log = str(tmp_path_factory.mktemp("protocols-requests"))
    server = start_server(tmp_path_factory.mktemp("protocols-log"), "--serving-dir", str(serving_dir),
                          "--port", str(rest_port), "--grpc-port", str(grpc_port), "--keep-versions", "2",
                          "--max-instances", str(MAX_INSTANCES), "--poll-seconds", "0.5", "--request-log", request_log)
    yield Protocols(server, grpc_port, paths, request_log)
    assert server.stop() == 0, server.log()[-3000:]


@pytest.fixture(scope="session")
def kept(protocols):
    """The protocols server once it holds the older version too (it polls for it after it starts)."""
    deadline = time.monotonic() + 60
    while client.request(f"{protocols.url}/v1/models/imdb/versions/{OLD}")[0] != 200:
        assert time.monotonic() < deadline, "the older version was not kept loaded"
        time.sleep(0.2)
    return protocols
