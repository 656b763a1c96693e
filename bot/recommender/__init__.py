"""Product recommendations from embeddings, shopper profiles, co-purchases and popularity."""
