"""The ``starcoach`` command line: parse arguments, call the core, print."""
