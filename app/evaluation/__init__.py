"""Evaluation: did a fine-tune help, and by how much (the evaluation engine's library).

``metrics`` (exact match, ROUGE-L, BLEU, chrF; Chinese-aware), ``evalset`` (reading an eval set),
``loss`` (held-out loss and perplexity on assistant tokens, masked as the trainer masks them),
``generate`` (greedy answers of the base and of the adapter, one base model loaded),
``judge`` (LLM-as-judge over any OpenAI-compatible endpoint), ``rag`` (knowledge-base retrieval
on a question set) and ``run`` (a run's whole evaluation, saved in ``eval/`` and the database).
Torch, transformers and peft are imported inside the functions that need them.
"""
