"""OCPP-J for the core: framing, schema validation, a robust RPC peer, live connections, the command gateway."""
