"""The GUI's side of the engines: QProcess wrappers that stream engine events as Qt signals."""
