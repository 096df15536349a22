"""`python -m zhicheng_devstack run|stop|status`."""

from __future__ import annotations

import sys

from zhicheng_devstack.stack import main

if __name__ == "__main__":
    sys.exit(main())
