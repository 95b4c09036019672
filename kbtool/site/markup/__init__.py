"""Small Markdown/HTML helpers the page renderers share."""
