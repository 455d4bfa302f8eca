"""The `parcellocker` command line (typer + rich)."""
