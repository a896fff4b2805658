"""The conformance tests, one module per mechanistic property, and the statistics they use."""
