"""``python -m kbtool`` runs the command line."""

from kbtool.cli import main

main()
