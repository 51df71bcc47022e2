"""Knowledge bases, engine side: reading files (readers), embedding models (embed), the index on disk
(index) and one open knowledge base that ingests and answers (base.Knowledge).

Used by the knowledge engine (app/engines/knowledge.py), the ``ai-platform kb`` command and the
agent's tools; never by the GUI, which runs the engine as a process. llama-index, faiss and the
embedding models are imported inside the functions that need them (start-up time).
"""
