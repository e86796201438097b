"""HTML parsing with beautifulsoup4 (to be written)."""
