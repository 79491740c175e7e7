"""Stand-ins for the devices and clouds EV Charge Control talks to.

Each simulator speaks the real protocol (Modbus TCP for the Wallbox Quasar, HTTP for
the clouds) over loopback, so the integration's tests and benches exercise the same code
paths as in a house. They share one battery model and read time only through an
injectable clock, so a simulated day runs in seconds. Nothing here imports Home
Assistant.
"""
