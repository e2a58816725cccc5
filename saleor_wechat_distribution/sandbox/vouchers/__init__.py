"""The sandbox's own vouchers: a small stand-in for Saleor's Voucher / VoucherCode tables, registered as
the core's ``VoucherSource`` (Saleor's adapter registers one over Saleor's models instead)."""
