"""The default answerer: it chooses sentences from the passages, builds a lead that answers, and quotes its sources word for word."""
