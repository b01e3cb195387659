"""The service catalogue: schema, vocabularies, loaders and importers, matcher, cards."""
