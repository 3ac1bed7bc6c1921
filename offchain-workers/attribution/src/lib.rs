//! Proof of Attribution engine: suffix-array spans, gradient influence, RAG citations
