"""A sample of real reviews straight from the archive, for benchmarks: no pipeline needed."""
from __future__ import annotations

import tarfile

from components.example_gen.layout import LABELS, review_location


def archive_reviews(archive: str, n: int, split: str = "test") -> list[tuple[str, int]]:
    """The first n/2 positive and n - n/2 negative reviews of `split` in the archive's order:
    (text, label) pairs, read without extracting the archive."""
    wanted = {"pos": n // 2, "neg": n - n // 2}
    found: list[tuple[str, int]] = []
    with tarfile.open(archive) as tar:
        for member in tar:
            location = review_location(member.name)
            if not member.isfile() or location is None or location[0] != split or wanted.get(location[1], 0) <= 0:
                continue
            wanted[location[1]] -= 1
            found.append((tar.extractfile(member).read().decode("utf-8"), LABELS[location[1]]))
            if not any(wanted.values()):
                break
    return found
