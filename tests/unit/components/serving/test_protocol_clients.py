"""The canary's gRPC client loads KServe's V2 messages without importing the `kserve` package,
whose import (through ray) closes and disables every logging handler of the pipeline's process."""
import subprocess
import sys

from tests.helpers.paths import ROOT

CHECK = """
import logging, sys
stream = open('/dev/null', 'w')
handler = logging.StreamHandler(stream)
logging.getLogger('pipeline').addHandler(handler)
from components.serving import protocol_clients
pb = protocol_clients.v2_messages()
request = pb.ModelInferRequest(model_name='imdb')
assert pb.ModelInferRequest.FromString(request.SerializeToString()).model_name == 'imdb'
assert 'kserve' not in sys.modules and 'ray' not in sys.modules, sorted(m for m in sys.modules if m.split('.')[0] in ('kserve', 'ray'))
assert not stream.closed and not logging.getLogger('pipeline').disabled
from kserve.protocol.grpc import grpc_predict_v2_pb2  # the model server's import after it: the same module
assert grpc_predict_v2_pb2 is pb
print('ok')
"""


def test_v2_messages_leave_the_process_logging_alone():
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
