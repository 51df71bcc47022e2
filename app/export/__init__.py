"""Export: a model (or a run's adapter merged into its base) written as GGUF for llama.cpp, Ollama and
LM Studio, verified by loading the file back (gguf.py writes, verify.py checks, modelfile.py writes
the Ollama Modelfile, job.py runs the whole export for the engine)."""
