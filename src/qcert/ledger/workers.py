"""Worker processes for the ledger's CPU-bound jobs (integration and audit)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.context import BaseContext

__all__ = ["process_context"]


def process_context() -> BaseContext:
    """Fork when no other thread runs (fast to start), else spawn (safe with threads)."""
    single = threading.active_count() == 1 and os.name == "posix"
    return multiprocessing.get_context("fork" if single else "spawn")
