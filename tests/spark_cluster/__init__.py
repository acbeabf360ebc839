"""A real Spark standalone cluster on the loopback for the tests of the Spark engine."""
