"""The bottom layer: catalog-level types, the one Settings class and the domain errors, shared by tools/ and agent/."""
