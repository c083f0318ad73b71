"""One module per family of commands; each `run_*` takes a `Context` and returns an exit code."""
