"""落实 Luoshi: a county supervision system."""
