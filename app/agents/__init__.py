"""The agent: a LangGraph loop (graph.py) over a registry of tools (tools.py); one turn (turn.py).

Engine-side code: it imports langchain / langgraph, so only app/engines/agent.py, the `ai-platform
agent` command and tests import it, never the GUI. It uses app.knowledge and app.core, never an
engine module.
"""
