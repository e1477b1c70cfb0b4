"""`python -m audit`: the same as the `mailhygiene` command."""

from audit.cli import main

main()
