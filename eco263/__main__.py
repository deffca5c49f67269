"""``python -m eco263`` is the ``eco263`` command."""

from eco263.cli import main

main()
