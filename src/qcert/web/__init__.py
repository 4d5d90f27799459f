"""Server-rendered pages: public verification, the body workspace and the organisation portal.

``install_public(app)`` and ``install(app)`` add them to an application whose
``state.services`` holds the wired services (see ``qcert.server``).
"""

from .site import install, install_public

__all__ = ["install", "install_public"]
