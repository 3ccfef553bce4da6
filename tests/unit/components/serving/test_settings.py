"""components/serving/settings.py: the server's flags checked before anything loads."""
import pytest


@pytest.mark.parametrize("flag", ["serving_dir", "model_dir"])
def test_a_remote_directory_is_refused_with_what_to_do(flag):
    """The server reads a local directory; gs:// said so, not "no such directory"."""
    from components.serving.settings import Settings

    with pytest.raises(ValueError, match=r"^gs://b/serving: the server reads a local directory \(--"):
        Settings(**{flag: "gs://b/serving"}).check()
