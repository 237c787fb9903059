"""Tests of the training pipeline. From the repository root:

    /usr/bin/python3 -m unittest discover -s models/training/tests -t .
"""

import sys
from pathlib import Path

try:
    import torch  # noqa: F401
except ImportError as e:  # fail loudly: a skipped suite would look like a passing one
    raise ImportError('python3-torch is missing: apt-get install -y python3-torch libopenblas0-pthread') from e

# The training modules are scripts that import each other by plain name.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
