"""imdb-tfx: a TFX pipeline from the IMDB Large Movie Review dataset to a served sentiment model."""
from setuptools import find_packages, setup

setup(
    name="imdb-tfx",
    version="0.1.0",
    description="TFX pipeline: aclImdb text files -> TF-Hub text embedding + DNN -> TFMA -> pushed model",
    python_requires=">=3.10,<3.11",
    packages=find_packages(include=["app", "app.*", "pipeline", "pipeline.*", "components", "components.*",
                                    "data", "data.*"]),
    package_data={"pipeline": ["schema/*.pbtxt"]},
    install_requires=[
        "tfx[kfp]==1.16.0",
        "apache-beam[gcp]==2.61.0",
        "tensorflow==2.16.2",
        "tf-keras==2.16.0",
        "tensorflow-hub==0.15.0",
        # the model server (imdb-tfx serve), which the pipeline's InfraValidator also starts
        "kserve==0.13.1",
        # the VADER lexicon's valences, which Transform reads for --preset best (MIT licence)
        "vaderSentiment==3.3.2",
    ],
    extras_require={
        "minilm": ["tensorflow-text==2.16.1"],
        "report": ["matplotlib"],
        "test": ["pytest"],
    },
    entry_points={"console_scripts": ["imdb-tfx=app.cli.main:main"]},
)
