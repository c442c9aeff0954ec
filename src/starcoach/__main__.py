"""``python -m starcoach`` runs the command line."""

from starcoach.cli.app import main

main()
