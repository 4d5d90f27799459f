"""The YAML loader the scheme files are read with."""

from __future__ import annotations

import yaml

__all__ = ["SAFE_LOADER"]

# libyaml's safe loader where PyYAML was built with it: the same documents, several times
# faster to read than the pure-Python one (every process that loads the schemes pays it).
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
