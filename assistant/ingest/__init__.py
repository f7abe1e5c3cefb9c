"""From the corpus folder to an index: reading documents (PDF, DOCX, HTML, Markdown), chunking, and building the lexical and dense indexes."""
