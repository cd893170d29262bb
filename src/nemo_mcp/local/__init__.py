"""The embedded local backend: the NemoVideo HTTP contract served on loopback, rendered on the CPU.

It shares nothing with the client but the contract (`../shared/nemo-api.md`).
"""
