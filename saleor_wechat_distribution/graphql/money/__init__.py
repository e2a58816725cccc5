"""The staff console's money reads: withdrawal totals, an order's attribution with its evidence, history,
commissions and dispute (the order widget), and the dataloaders that keep them one query per batch."""
