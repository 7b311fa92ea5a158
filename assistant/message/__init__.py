"""Reading a customer message: scan(), threats and the likely case type."""
