"""AI Platform: a local-LLM workstation (projects, datasets, fine-tuning, chat, RAG, agents)."""

__version__ = "0.1.0"
APP_NAME = "ai-platform"
APP_DISPLAY_NAME = "AI Platform"
