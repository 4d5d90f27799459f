"""The signing keys of a qcert installation, kept as files only the owner can read."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import NotInitialised, QcertError
from .ledger import LedgerError, generate_ed25519, generate_sm2, parse_signer
from .ledger.cosignature import CosignatureSigner, generate_cosigner, parse_cosigner_skey
from .ledger.note import Signer

__all__ = [
    "KEY_FILES",
    "WITNESS_KEY",
    "create_keys",
    "create_witness_key",
    "load_signers",
    "load_witness_key",
]

KEY_FILES = ("ed25519.skey", "sm2.skey")
WITNESS_KEY = "witness.skey"


def create_keys(keys_dir: Path, name: str) -> list[Signer]:
    """Create an Ed25519 and an SM2 signer named ``name``; refuse to overwrite."""
    existing = [f for f in KEY_FILES if (keys_dir / f).exists()]
    if existing:
        raise QcertError(f"keys already exist in {keys_dir} ({', '.join(existing)}); not replacing")
    try:
        signers: list[Signer] = [generate_ed25519(name), generate_sm2(name)]
    except LedgerError as err:
        raise QcertError(f"--origin: {err}") from None
    _private_dir(keys_dir)
    for filename, signer in zip(KEY_FILES, signers, strict=True):
        path = keys_dir / filename
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(signer.skey() + "\n")
    return signers


def load_signers(keys_dir: Path) -> list[Signer]:
    """The installation's signers; raise NotInitialised when keys are missing."""
    paths = [keys_dir / f for f in KEY_FILES]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise NotInitialised(f"no signing keys in {keys_dir}: run `qcert init` first")
    signers = []
    for path in paths:
        if path.stat().st_mode & 0o077:
            raise QcertError(f"{path} is readable by others; run `chmod 600 {path}`")
        try:
            signers.append(parse_signer(path.read_text()))
        except LedgerError as err:
            raise QcertError(f"{path}: {err}") from None
    names = {s.name for s in signers}
    if len(names) != 1:
        raise QcertError(f"signing keys in {keys_dir} have different names: {sorted(names)}")
    return signers


def _private_dir(keys_dir: Path) -> None:
    if not keys_dir.parent.exists():  # the data directory: the owner's alone, like all in it
        keys_dir.parent.mkdir(parents=True, mode=0o700)
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(keys_dir, 0o700)


def create_witness_key(keys_dir: Path, name: str) -> CosignatureSigner:
    """Create this installation's witness key called ``name``; refuse to overwrite one."""
    path = keys_dir / WITNESS_KEY
    if path.exists():
        raise QcertError(f"a witness key exists already ({path}); not replacing it")
    try:
        signer = generate_cosigner(name)
    except LedgerError as err:
        raise QcertError(f"--name: {err}") from None
    _private_dir(keys_dir)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(signer.skey() + "\n")
    return signer


def load_witness_key(keys_dir: Path) -> CosignatureSigner | None:
    """This installation's witness key, if it has one (``qcert witness init`` makes it)."""
    path = keys_dir / WITNESS_KEY
    if not path.exists():
        return None
    if path.stat().st_mode & 0o077:
        raise QcertError(f"{path} is readable by others; run `chmod 600 {path}`")
    try:
        return parse_cosigner_skey(path.read_text())
    except LedgerError as err:
        raise QcertError(f"{path}: {err}") from None
