"""components/serving/settings.py: the server's flags checked before anything loads."""
import pytest


@pytest.mark.parametrize("flag", ["serving_dir", "model_dir"])
def test_a_directory_on_an_object_store_is_checked_through_its_file_system(flag):
    """gs:// (here TF's ram://, the same API) is a directory the server reads; one that is not
    there is said as a local one is."""
    import tensorflow as tf

    from components.serving.settings import Settings

    tf.io.gfile.makedirs("ram://settings_remote/serving")
    Settings(**{flag: "ram://settings_remote/serving"}).check()
    with pytest.raises(FileNotFoundError, match=r"^ram://settings_remote/none: no such directory \(--"):
        Settings(**{flag: "ram://settings_remote/none"}).check()
