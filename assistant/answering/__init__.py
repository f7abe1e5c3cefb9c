"""From passages to an answer: the Answerer role (base.py), the answerers by name (registry.py), the extractive answerer (extractive/), the optional LLM answerer (llm/) and the refusal."""
