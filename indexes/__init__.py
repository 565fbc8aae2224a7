"""Indexes: chunking, embeddings, FAISS and BM25, the catalog, hybrid retrieval, refresh."""
