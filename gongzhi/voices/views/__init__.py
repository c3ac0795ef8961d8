"""Voice pages, one module per audience or concern."""
