"""Serving a model on an OpenAI-compatible API, engine side: vLLM's server run and watched (vllm),
the transformers server for where vLLM cannot run (transformers_server), and the readiness check
both use (ready). The serve engine (app/engines/serve.py) picks one and reports through its runtime.
"""
