"""``python -m mit_glm ARGS`` is the ``mit`` command."""

import sys

from mit_glm.cli import main

sys.exit(main())
