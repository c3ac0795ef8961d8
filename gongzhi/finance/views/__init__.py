"""Pages of property fees (物业费) and published accounts (收支公示), one module per subject."""
