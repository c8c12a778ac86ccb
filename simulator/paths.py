"""Where collector-sim keeps what it writes: ``$COLLECTOR_SIM_HOME``, else the user data directory.

Session logs (``<home>/sessions/``), exports and the default results store
(``<home>/results.sqlite3``, unless ``--db`` / ``$COLLECTOR_SIM_DB`` say otherwise) all live under
this one folder, so pointing ``COLLECTOR_SIM_HOME`` elsewhere moves every file the app writes.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "COLLECTOR_SIM_HOME"


def home_dir() -> Path:
    """``$COLLECTOR_SIM_HOME``, else the platform's user data directory for collector-sim."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("collector-sim", appauthor=False)
