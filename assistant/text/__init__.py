"""French text and the figures in it: normalising, stemming, sentences (french.py); amounts, rates, durations and dates (figures.py).

The bottom of the road: it imports nothing of the assistant but `models`, `settings` and `wording`."""
