"""One app per data folder: a second launch brings the running window forward and exits.

Two processes on one data folder would both open its database and both manage its runs. The
first launch takes a lock file in the data folder (QLockFile: a lock whose process is gone, after a
crash, is taken over) and listens on a local socket named after a hash of the folder's path. A
later launch fails to take the lock, connects to that socket, writes ``activate`` and waits for
``ok``; the first process then raises its window. A socket file left behind by a crash is removed
before listening (only the lock holder does that, so a live server is never removed).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = ".instance.lock"
ACTIVATE = b"activate\n"
ACK = b"ok\n"


def server_name(home: Path) -> str:
    """The local socket's name for the data folder ``home`` (the same for every launch on it)."""
    key = os.path.normcase(os.path.abspath(os.path.expanduser(os.fspath(home))))
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = hashlib.sha256(f"{user}\0{key}".encode()).hexdigest()[:16]
    return f"ai-platform-{digest}"


class SingleInstance(QObject):
    """``claim()`` once at start: True = this is the only app on ``home`` (it now listens and
    emits ``activation_requested`` when another launch asks); False = one runs already, call
    ``notify_running()`` and exit."""

    activation_requested = Signal()

    def __init__(self, home: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.home = Path(home)
        self.name = server_name(self.home)
        self._lock = QLockFile(str(self.home / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        self.home.mkdir(parents=True, exist_ok=True)
        if not self._lock.tryLock(0):
            if self._lock.error() == QLockFile.LockError.LockFailedError:
                return False
            # The folder cannot hold a lock (read-only, odd file system): go on unguarded, the
            # start-up itself will report an unusable folder.
            log.warning("Cannot take the single-instance lock in %s (error %s); not guarding",
                        self.home, self._lock.error())
            return True
        QLocalServer.removeServer(self.name)  # a socket file left by a crashed run
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("Cannot listen on %s (%s); a second launch will not find this window",
                        self.name, server.errorString())
            return True
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def notify_running(self, timeout_ms: int = 15000) -> bool:
        """Ask the running app to show its window; True when it answered. The wait is long
        because the first app answers from its event loop, which may still be starting."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            sock = QLocalSocket()
            sock.connectToServer(self.name)
            if sock.waitForConnected(500):
                sock.write(ACTIVATE)
                sock.waitForBytesWritten(1000)
                answered = False
                while time.monotonic() < deadline and not answered:
                    if sock.bytesAvailable() or sock.waitForReadyRead(200):
                        answered = bytes(sock.readAll().data()).startswith(ACK.strip())
                    elif sock.state() != QLocalSocket.LocalSocketState.ConnectedState:
                        break
                sock.disconnectFromServer()
                return answered
            # The first launch holds the lock but may not listen yet: try again for a while.
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()

    def _on_connection(self) -> None:
        while self._server is not None and self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._on_ready_read(s))
            sock.disconnected.connect(sock.deleteLater)
            if sock.bytesAvailable():
                self._on_ready_read(sock)

    def _on_ready_read(self, sock: QLocalSocket) -> None:
        data = bytes(sock.readAll().data())
        if ACTIVATE.strip() in data:
            log.info("Another launch on this data folder asked for the window; bringing it to the front")
            self.activation_requested.emit()
            sock.write(ACK)
            sock.flush()


def bring_to_front(window) -> None:
    """Show ``window`` un-minimized and ask the window system to raise and focus it."""
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.platformName() != "offscreen":  # nothing to raise there (and Qt warns)
        window.raise_()
    window.activateWindow()


__all__ = ["LOCK_NAME", "SingleInstance", "bring_to_front", "server_name"]
