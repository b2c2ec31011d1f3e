"""The OCPP door: charge points connect at ws://HOST:9000/ocpp/{charge_point_id}."""
