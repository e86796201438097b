"""Word (.docx) parsing (to be written)."""
