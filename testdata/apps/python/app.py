"""Sample app of the Python pipeline: prints a greeting and its Python version."""
import sys

from greeting import greet

print(f"{greet('python')} (python {sys.version.split()[0]})")
