"""`grade FOLDER`: placeholder until batch grading lands (issue #3)."""
import sys


def main(argv: list[str]) -> int:
    print("grade FOLDER: batch grading is not available yet; give one .py or .ipynb file",
          file=sys.stderr)
    return 2
