"""TFX artifacts made in memory for resolver tests: an id and integer custom properties."""


def artifact(kind, artifact_id: int, **properties):
    """An artifact of class `kind` with `artifact_id` and the int custom `properties`."""
    a = kind()
    a.id = artifact_id
    for key, value in properties.items():
        a.set_int_custom_property(key, value)
    return a
