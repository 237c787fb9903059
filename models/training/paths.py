"""Where the shared, read-only data lives (see ../shared/README.md)."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def shared_dir():
    """`../shared` next to the repository, or $SWINUP_SHARED."""
    return Path(os.environ.get('SWINUP_SHARED') or REPO / '..' / 'shared').resolve()
