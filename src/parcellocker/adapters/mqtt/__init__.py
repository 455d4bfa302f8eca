"""The link between the server and lockers' terminals over MQTT."""
