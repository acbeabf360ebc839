"""``python -m kojin.cli``: the same as the ``kojin`` console script."""

from kojin.cli import main

main()
