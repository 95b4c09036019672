"""Templates `kbtool init` copies into a new knowledge base."""
