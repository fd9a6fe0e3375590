"""``python -m narrascope.cli``: the ``narrascope`` command."""

from . import main

main()
