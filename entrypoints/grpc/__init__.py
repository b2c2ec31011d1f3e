"""The gRPC door for partner backends (package charge.v1), with health checking and reflection."""
