#!/usr/bin/env python3
"""webhook_receiver.py - a real HTTP(S) receiver for the webhook and
Alertmanager sink tests.

Listens on 127.0.0.1 (port 0 = any; the bound port is written to PORTFILE),
appends each accepted POST body, as one line, to OUTFILE, and answers 200.
  --fail-first N       answers 503 to the first N requests (to test retries)
  --tls CERT KEY       speaks HTTPS only, with this certificate and key
  --log FILE           one JSON line per request: status, path, content_type,
                       tls (protocol version or null), body (text)
  --reject-marker STR  answers 400 to a request whose body contains STR
                       (repeatable)
"""
import argparse
import http.server
import json
import os
import ssl
import threading

ap = argparse.ArgumentParser()
ap.add_argument("portfile")
ap.add_argument("outfile")
ap.add_argument("--fail-first", type=int, default=0)
ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
ap.add_argument("--log")
ap.add_argument("--reject-marker", action="append", default=[])
args = ap.parse_args()
lock = threading.Lock()
state = {"seen": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        reply = b""
        with lock:
            state["seen"] += 1
            if state["seen"] <= args.fail_first:
                code = 503
            elif any(m.encode() in body for m in args.reject_marker):
                code = 400
                reply = b'{"code":400,"message":"rejected by marker"}\n'
            else:
                code = 200
                with open(args.outfile, "ab") as f:
                    f.write(body.replace(b"\n", b" ") + b"\n")
            if args.log:
                tls = self.connection.version() if isinstance(self.connection, ssl.SSLSocket) else None
                rec = {"status": code, "path": self.path,
                       "content_type": self.headers.get("Content-Type"), "tls": tls,
                       "body": body.decode("utf-8", "replace")}
                with open(args.log, "a") as f:
                    f.write(json.dumps(rec) + "\n")
        self.send_response(code)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *a):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gives up on our certificate is expected


srv = Server(("127.0.0.1", 0), Handler)
if args.tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls[0], args.tls[1])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(args.portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(args.portfile + ".tmp", args.portfile)
srv.serve_forever()
