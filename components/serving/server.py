"""Starting the server: the first model load, then KServe's ModelServer with our additions.

The first version is loaded and canary-checked before anything else (before kserve, whose
import takes ~13 s, is imported, and before the port is bound), so that a model that cannot be
served fails at once with one line, and a server that listens has passed its canary.

`ImdbModelServer` is KServe's ModelServer (its data plane, REST server, V1/V2 endpoints,
Prometheus metrics, model repository) with its own `start`: KServe's builds the FastAPI app
and serves it in one step, leaving no place to add the request gate and status routes
(components/serving/routes.py) or to run the batcher and the version poller on the same
event loop. gRPC (--grpc-port, components/serving/grpc_service.py) runs on the same loop,
through the same data plane. Per-request latency log lines are
off too (each costs CPU the model needs on a small machine; the histograms stay).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import signal
import socket
import sys

from components.serving.manager import VersionManager
from components.serving.served_model import ServedModel
from components.serving.settings import READY_LINE, Settings

logger = logging.getLogger("components.serving")


class ServeError(ValueError):
    """The server cannot start (e.g. the port is taken); one line."""


def serve(settings: Settings) -> int:
    """Serves until SIGTERM or SIGINT; returns 0 then. ModelLoadError (served_model.py) when no model
    can be served, ServeError when the port cannot be bound."""
    settings.check()
    _check_port(settings.host, settings.port)  # before the model loads: a taken port is said at once
    _check_port(settings.host, settings.grpc_port)  # 0: no gRPC, nothing to check
    manager = VersionManager(ServedModel.load, settings.serving_dir, settings.model_dir, settings.poll_seconds)
    manager.start()
    argv, sys.argv = sys.argv, sys.argv[:1]  # kserve parses sys.argv when imported; our flags are not its
    try:
        from components.serving.kserve_model import ImdbModel
        server_class = _server_class()
    finally:
        sys.argv = argv
    model = ImdbModel(settings.model_name, manager, settings.max_batch_size, settings.batch_wait_ms,
                      settings.max_instances, settings.batch_idle_ms)
    model.kept.keep = settings.keep_versions
    if settings.request_log:
        from components.serving.request_log import RequestLog

        model.request_log = RequestLog(settings.request_log, settings.request_log_max_bytes,
                                       max_seconds=settings.request_log_max_seconds)
    try:
        server_class(settings).start([model])
    finally:
        if model.request_log is not None:  # after the stop: the requests in flight were answered and recorded
            model.request_log.close()
            log = model.request_log
            copied = f" ({len(log.uploader.uploaded)} file(s) copied there, {len(log.uploader.pending)} not)" \
                if log.uploader is not None else ""
            lost = log.lines - log.written  # a full disk: said, not hidden in the count
            if lost:
                logger.error("request log: %d of %d predictions written to %s%s; %d could not be (%s)",
                             log.written, log.lines, settings.request_log, copied, lost, log.error)
            else:  # files a bucket did not take are kept in the staging directory (log_upload.py says where)
                (logger.error if log.uploader is not None and log.uploader.pending else logger.info)(
                    "request log: %d predictions written to %s%s", log.written, settings.request_log, copied)
    return 0


def _check_port(host: str, port: int) -> None:
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise ServeError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def _server_class():
    from components.serving.imports import hide_iri_grammar

    hide_iri_grammar()
    import kserve
    from kserve.protocol.rest.server import UvicornServer

    from components.serving import routes

    class ImdbModelServer(kserve.ModelServer):
        def __init__(self, settings: Settings):
            super().__init__(http_port=settings.port, workers=1, enable_grpc=False, enable_latency_logging=False)
            self.settings = settings
            self._stopping = None  # the stop's task, once a signal asked for it
            logging.getLogger("kserve.trace").setLevel(logging.WARNING)  # a line per request otherwise
            if not settings.access_log:  # uvicorn formats an access line whenever its logger has a handler
                access = logging.getLogger("uvicorn.access")
                access.handlers, access.propagate = [], False

        def start(self, models) -> None:
            (model,) = models
            self.register_model(model)
            model.enable_latency_logging = False
            try:
                import uvloop  # uvicorn's faster event loop, when installed (it is, with kserve)

                asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
            except ImportError:
                pass
            asyncio.run(self._serve(model))

        async def _serve(self, model) -> None:
            loop = asyncio.get_running_loop()
            loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="serving"))
            self._rest_server = UvicornServer(self.http_port, [], self.dataplane, self.model_repository_extension,
                                              False, log_config=None)
            self._rest_server.cfg.host = self.settings.host
            routes.customize(self._rest_server.cfg.app, model, self.settings.max_body_bytes, self.dataplane)
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self._stop_on, sig)
            if self.settings.grpc_port:
                from components.serving.grpc_service import GrpcServer

                self._grpc_server = GrpcServer(self.settings.host, self.settings.grpc_port, self.dataplane,
                                               self.model_repository_extension, model, self.settings.max_body_bytes)
                try:
                    await self._grpc_server.start()
                except OSError as e:
                    raise ServeError(str(e)) from None
            tasks = [asyncio.create_task(model.batcher.run()), asyncio.create_task(model.manager.poll_forever()),
                     asyncio.create_task(model.kept.poll_forever()), asyncio.create_task(self._announce(model))]
            try:
                await self._rest_server.run()  # returns once the requests in flight are answered
            finally:
                if self._stopping is not None:  # gRPC's requests in flight are answered after REST's
                    await asyncio.gather(self._stopping, return_exceptions=True)
                for task in tasks:
                    task.cancel()
                model.batcher.close()

        def _stop_on(self, sig) -> None:
            """A signal: one stop (a second signal while it runs changes nothing)."""
            if self._stopping is None:
                self._stopping = asyncio.create_task(self.stop(sig=sig))

        async def stop(self, sig=None) -> None:
            """Stops the REST and gRPC servers, which answer the requests in flight and on open
            connections first (the batcher runs until both have stopped: gRPC's requests in flight
            were cancelled when REST's stop ended it). KServe's stop also unloads the model at
            once: until the servers had stopped (about a second under load) those requests got 404
            "model does not exist". The model goes with the process."""
            if self._rest_server:
                await self._rest_server.stop(sig)
            if self._grpc_server:
                await self._grpc_server.stop(sig)

        async def _announce(self, model) -> None:
            """One line on stdout once the server answers requests (and one before, while it
            waits for a first version)."""
            server = self._rest_server.server
            while not server.started:
                await asyncio.sleep(0.05)
            port = server.servers[0].sockets[0].getsockname()[1]
            host = "127.0.0.1" if self.settings.host == "0.0.0.0" else self.settings.host
            url = f"http://{host}:{port}/v1/models/{model.name}"
            if not model.healthy():
                print(f"imdb-tfx serve: listening on {url}, not ready: no version under "
                      f"{model.manager.serving_dir} yet", flush=True)
                while not model.healthy():
                    await asyncio.sleep(0.1)
            current = model.manager.current
            what = current.path if current.version is None else f"version {current.version} ({current.path})"
            grpc = f" (gRPC on {host}:{self._grpc_server.port})" if self._grpc_server else ""
            print(f"{READY_LINE}: {url} serves {what}{grpc}", flush=True)

    return ImdbModelServer
