"""The note format and the knowledge base: parsing notes, topics, links between notes."""
