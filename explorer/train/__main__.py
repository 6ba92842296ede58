"""`python -m explorer.train`: the teacher's command line (explorer/train/cli.py)."""

from explorer.train.cli import leave, main

if __name__ == "__main__":
    leave(main())
