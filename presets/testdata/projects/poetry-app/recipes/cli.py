import sys


def main() -> int:
    print("recipes admin:", " ".join(sys.argv[1:]) or "nothing to do")
    return 0
