"""Heavy programs, each runnable as `python -m app.engines.NAME` in its own process.

Engines may import torch & co. They never import Qt.
"""
