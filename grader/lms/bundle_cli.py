"""`grade bundle …`: placeholder until the LMS bundles land (issue #4)."""
import sys


def main(argv: list[str]) -> int:
    print("grade bundle: not available yet", file=sys.stderr)
    return 2
