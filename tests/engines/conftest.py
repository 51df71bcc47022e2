"""Engine tests: real engines as subprocesses, on the real bundled model.

``converted_model_dir`` converts the bundled SmolLM2 GGUF once per test session (≈ 20 s on 2 cores)
into a session temp home, through the real ``python -m app.engines.convert``; every engine test
that needs a Hugging Face model folder reuses it. Treat it as read-only.
"""

from __future__ import annotations

# The helpers and the session fixtures (engine_runner, convert_run, converted_model_dir) live in
# tests/helpers/engines.py and tests/conftest.py, so GUI tests share the one conversion per session.
from tests.helpers.engines import EngineRun, engine_env_for, run_engine  # noqa: F401
