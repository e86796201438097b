"""atkb core: the data model, the passage index, search and exports."""
