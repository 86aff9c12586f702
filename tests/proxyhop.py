"""A minimal TLS-terminating reverse proxy stand-in for tests: one real TCP hop, as nginx does it.

It listens on 127.0.0.1, and for each request appends the peer's address to ``X-Forwarded-For``
(``$proxy_add_x_forwarded_for``), sets ``X-Forwarded-Proto: https`` (``$scheme`` behind TLS),
keeps ``Host``, and connects to the app from ``source`` (127.0.0.1, the trusted proxy address).
One request per connection (``Connection: close``), which is all the tests need.
"""

from __future__ import annotations

import socket
import threading


def _read_head(conn: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


class ProxyHop:
    def __init__(self, upstream_port: int, *, source: str = "127.0.0.1") -> None:
        self.upstream_port = upstream_port
        self.source = source
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self) -> None:
        self._stop = True
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn, peer[0]), daemon=True).start()

    def _handle(self, conn: socket.socket, peer: str) -> None:
        with conn:
            head, body = _read_head(conn)
            if not head:
                return
            lines = head.split(b"\r\n")
            headers, forwarded, length = [], b"", 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                lname = name.strip().lower()
                if lname == b"x-forwarded-for":
                    forwarded = value.strip()
                    continue
                if lname in {b"x-forwarded-proto", b"connection", b"keep-alive"}:
                    continue
                if lname == b"content-length":
                    length = int(value.strip() or 0)
                headers.append(line)
            while len(body) < length:
                chunk = conn.recv(min(65536, length - len(body)))
                if not chunk:
                    break
                body += chunk
            xff = (forwarded + b", " if forwarded else b"") + peer.encode()
            headers += [b"X-Forwarded-For: " + xff, b"X-Forwarded-Proto: https", b"Connection: close"]
            request = b"\r\n".join([lines[0], *headers]) + b"\r\n\r\n" + body
            with socket.create_connection(("127.0.0.1", self.upstream_port), source_address=(self.source, 0)) as up:
                up.sendall(request)
                while True:
                    chunk = up.recv(65536)
                    if not chunk:
                        break
                    conn.sendall(chunk)
