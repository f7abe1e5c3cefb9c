"""What is kept: feedback, the question log and evaluation runs (database.py, SQLite or PostgreSQL), masked before they are written (masking.py)."""
