"""The `luoshi` command.

`luoshi decompose …` runs the pure decomposer and never imports Django, so it
starts fast; every other sub-command is a Django management command.
"""
import os
import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "decompose":
        from luoshi.decompose.cli import main as decompose_main

        return decompose_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["luoshi", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
