"""Prints the greeting of the nested requirements and whether data/ is writable."""
import os
import pathlib

import greeting

data = pathlib.Path("data")
(data / "visits").write_text("1\n")
print(f"{greeting.greet('the nested requirements')}, uid {os.getuid()}, data/ writable")
