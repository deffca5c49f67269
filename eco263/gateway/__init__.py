"""The HJ 212 gateway shell: the TCP server loggers connect to and the logger simulator.

Both sit above the monitoring domain: they frame and decode with the pure protocol package
(``eco263.monitoring.hj212``), store through ``eco263.monitoring.ingest`` and read the point
directory through ``eco263.monitoring.service``. Nothing below the shell imports this package.
"""
