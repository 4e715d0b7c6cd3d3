//! Resolving attribute values and mapping suggestions against cached dictionaries.
