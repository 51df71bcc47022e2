"""LoRA / QLoRA fine-tuning, engine side: the run (run.train), the data (data), the Trainer's events
(callbacks), the Trainer with atomic checkpoints (trainer), the model and adapter (model), out-of-memory
advice (oom) and memory.json (memory).

Used by the training engine (app/engines/train.py). torch, transformers and peft are imported inside
the functions that need them (callbacks.py only is imported after them), so the engine refuses a bad
config before it pays for them.
"""
