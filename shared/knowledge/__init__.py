"""The business's own documents: reading uploads, cutting them into chunks, embedding and searching them.

Rooms: documents.py (the types), ingest.py (bytes → text with headings), chunking.py (headings kept
with their text), embedder.py (the embedding model behind a Protocol), indexing.py (one document in,
atomically), search.py (exact in the libSQL file, `vector_top_k` on a sqld/Turso server).
"""
