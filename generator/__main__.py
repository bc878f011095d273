"""``python -m generator`` is the same as the ``filing-archive`` console script."""

from generator.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
