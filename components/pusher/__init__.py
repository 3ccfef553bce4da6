"""Pusher: publishes a blessed model into the serving directory, atomically."""
