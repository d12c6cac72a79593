"""Entry point of the frozen app: the window, the CLI and the llama.cpp worker in one executable."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
