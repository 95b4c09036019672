"""`kbtool links`: finding external links in notes and checking them."""
