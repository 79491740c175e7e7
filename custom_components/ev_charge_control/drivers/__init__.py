"""Device drivers: one module per device family, no Home Assistant imports."""
