"""Who may rename, delete or restore a saved model on a shared server.

A model belongs to the browser session that trained or uploaded it: its meta holds `owner`, a
hash of that session's random secret (the secret never leaves the server, and the hash is
stripped from downloads). A teacher, who knows the token in $CNN_EXPLORER_TEACHER_TOKEN, may
manage every model. Models without an owner (trained with the command line, or saved before
owners existed) may be managed by anyone while no teacher token is set (one person on a
laptop), and only by the teacher once one is.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

TEACHER_ENV = "CNN_EXPLORER_TEACHER_TOKEN"


@dataclass(frozen=True)
class Who:
    owner: str  # owner_tag() of this session ("" for nobody in particular)
    teacher: bool = False


def owner_tag(session_secret: str) -> str:
    """What a model's meta stores for the session that made it (a one-way hash)."""
    return hashlib.sha256(f"cnn-explorer-owner:{session_secret}".encode()).hexdigest()[:32]


def teacher_configured() -> bool:
    return bool(os.environ.get(TEACHER_ENV))


def is_teacher_token(token: str) -> bool:
    expected = os.environ.get(TEACHER_ENV) or ""
    return bool(expected) and hmac.compare_digest(str(token).encode(), expected.encode())


def may_manage(owner: str | None, who: Who) -> bool:
    """May `who` rename, delete or restore a model whose meta has this `owner`?"""
    if who.teacher:
        return True
    if owner:
        return bool(who.owner) and hmac.compare_digest(str(owner), who.owner)
    return not teacher_configured()
