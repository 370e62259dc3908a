"""`python -m xuncha …` is the `xuncha` command."""

from .cli import main

main()
