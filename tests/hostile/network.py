import socket
for host in ("127.0.0.1", "localhost"):
    try:
        with socket.create_connection((host, {PORT}), timeout=2) as s:
            s.sendall(b"ESCAPED {TOKEN}")
        print("CONNECTED", host)
    except OSError as exc:
        print("NO NETWORK", host, type(exc).__name__, exc)
