"""The site: pure renderers of Markdown pages, and the MkDocs plugin that adds them."""
