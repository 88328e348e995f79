"""greeting: a tiny local package, shipped as a wheel so the sample app installs offline."""

__version__ = "1.0.0"


def greet(name: str) -> str:
    """Return the greeting of the sample app."""
    return f"hello from {name}, with greeting {__version__}"
