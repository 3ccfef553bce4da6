"""The application around the pipeline: the CLI, reading runs back, the report, the experiment grid, predict."""
