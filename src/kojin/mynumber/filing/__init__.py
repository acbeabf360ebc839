"""Filing and retention for the My Number vault: the payments behind the statutory payment
records (支払調書), their export for the tax filing, the retention items and disposal schedule
of the vault's records (R-MN-7), and the status register of specific personal information files
(R-MN-9).

These tables live in the registry database (they hold no number): the numbers stay in the
vault, and only the payment-record CSV an authorized export writes contains them.
"""
