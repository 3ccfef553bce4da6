"""Where things are for the tests."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository
ARTIFACTS = os.path.join(ROOT, "test-artifacts")  # screenshots and the like, for a person to look at
SHARED_DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
