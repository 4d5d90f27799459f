"""Server-rendered public pages: certificate verification in zh-CN and en, offline-safe."""

from .pages import router

__all__ = ["router"]
