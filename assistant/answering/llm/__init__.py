"""The optional generative answerer: a prompt from the passages and the analysis, a local or remote model, and a grounding check between the model and the reader."""
