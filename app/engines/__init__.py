"""Heavy programs, each runnable as `python -m app.engines.NAME` in its own process.

Entry points only: each module parses its arguments and runs a body through
``app.core.engine_runtime.run_main``. The code they share lives in the library packages below them
(app.knowledge, app.training, app.serving, app.agents); nothing imports an engine module. Engines
may import torch & co. They never import Qt.
"""
