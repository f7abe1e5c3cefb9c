"""From a question to ranked passages: the lexical (BM25) and dense indexes, their fusion, and the query's expansion.

`retriever.Retriever` is the entry; `index_state.IndexState` is what an index build leaves on disk."""
