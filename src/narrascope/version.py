"""narrascope's version, in a module of its own that imports nothing, so every layer can read it
without importing the package's front door (``narrascope/__init__``, which imports the API)."""

__version__ = "0.1.0"
