"""Routes of the staff workspace, one module per resource."""
