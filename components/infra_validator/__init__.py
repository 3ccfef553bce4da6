"""InfraValidator: the candidate model is served by the real server and answers canary requests before it may be pushed."""
