"""Sample app of the Python pipeline: prints a greeting and its Python version."""
import sys

print(f"hello from python {sys.version.split()[0]}")
