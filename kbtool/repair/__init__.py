"""Repair of mojibake: UTF-8 that was decoded with the wrong code page."""
