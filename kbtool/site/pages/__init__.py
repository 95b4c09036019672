"""One pure renderer per kind of generated page."""
