"""collector-sim: a terminal role-play simulator that trains debt collectors to collect lawfully."""

__version__ = "0.1.0"
