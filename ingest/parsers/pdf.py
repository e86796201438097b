"""PDF parsing with pdfminer.six (to be written)."""
