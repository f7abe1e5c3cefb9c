"""Programme profiles: what the corpus says about each programme, as a whole (assistant/profiles/model.py)."""
