"""Qt widgets: one module per panel, plus the main window."""
