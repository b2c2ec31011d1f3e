"""Doors into the core: REST, OCPP, gRPC and the command line, plus the one composition root."""
