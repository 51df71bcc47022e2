"""Signalling an engine's process group, without Qt.

Engines are started in their own session (``start_new_session=True``, or QProcess with ``setsid``),
so the engine and everything it spawns (vLLM's workers, dataloader processes) form one process
group whose id is the engine's pid. ``signal_group`` reaches all of them at once.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def signal_group(pid: int, sig: int, label: str = "") -> bool:
    """Send ``sig`` to the process group ``pid`` leads; True when a signal was sent.

    * ``pid`` leads its group: the whole group gets it.
    * ``pid`` is in another group (it is not a group leader), or in ours: ``pid`` alone gets it
      (never our own group: that would signal the GUI itself).
    * ``pid`` is gone but its group lives on (the leader exited and was reaped, its children did
      not): the rest of the group gets it.
    * no such process or group: False. Not allowed (another user's process): a warning, False.

    ``label`` names the caller's job in the warning.
    """
    if pid <= 0:
        return False
    ours = os.getpgrp()
    try:
        try:
            leader = os.getpgid(pid) == pid
        except ProcessLookupError:
            if pid == ours:
                return False
            os.killpg(pid, sig)  # the leader is gone: signal what is left of its group
            return True
        if leader and pid != ours:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
        return True
    except ProcessLookupError:
        return False
    except OSError as exc:  # PermissionError above all
        log.warning("%scannot signal pid %d: %s", f"{label}: " if label else "", pid, exc)
        return False


__all__ = ["signal_group"]
