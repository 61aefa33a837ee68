#!/usr/bin/python3
"""notice_receivers.py — real local receivers for holdfast's expiry notices.

  notice_receivers.py webhook DIR   HTTP server: each POST body -> DIR/hook.N.json, answers 200
                                    (or the status in DIR/status when that file exists)
  notice_receivers.py smtp DIR      SMTP server (aiosmtpd): each message -> DIR/mail.N.eml

Each binds 127.0.0.1 on a free port and writes it to DIR/port once listening.
"""
import os
import sys
import time


def webhook(d):
    import http.server

    class H(http.server.BaseHTTPRequestHandler):
        n = 0

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            H.n += 1
            with open(os.path.join(d, "hook.%d.json" % H.n), "wb") as f:
                f.write(body)
            try:
                status = int(open(os.path.join(d, "status")).read().strip())
            except OSError:
                status = 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    s = http.server.HTTPServer(("127.0.0.1", 0), H)
    with open(os.path.join(d, "port"), "w") as f:
        f.write(str(s.server_address[1]))
    s.serve_forever()


def smtp(d):
    import socket
    from aiosmtpd.controller import Controller

    class Handler:
        n = 0

        async def handle_DATA(self, server, session, envelope):
            Handler.n += 1
            with open(os.path.join(d, "mail.%d.eml" % Handler.n), "wb") as f:
                f.write(b"X-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
                f.write(envelope.content if isinstance(envelope.content, bytes)
                        else envelope.content.encode())
            return "250 OK"

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = Controller(Handler(), hostname="127.0.0.1", port=port)
    c.start()
    with open(os.path.join(d, "port"), "w") as f:
        f.write(str(port))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    {"webhook": webhook, "smtp": smtp}[sys.argv[1]](sys.argv[2])
