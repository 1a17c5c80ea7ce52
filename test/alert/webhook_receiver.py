#!/usr/bin/env python3
"""webhook_receiver.py - a real HTTP receiver for the webhook sink tests.

Listens on 127.0.0.1 (port 0 = any; the bound port is written to PORTFILE),
appends each POST body, as one line, to OUTFILE, and answers 200. With
--fail-first N it answers 503 to the first N requests (to test retries).
"""
import argparse
import http.server
import threading

ap = argparse.ArgumentParser()
ap.add_argument("portfile")
ap.add_argument("outfile")
ap.add_argument("--fail-first", type=int, default=0)
args = ap.parse_args()
lock = threading.Lock()
state = {"seen": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            state["seen"] += 1
            fail = state["seen"] <= args.fail_first
            if not fail:
                with open(args.outfile, "ab") as f:
                    f.write(body.replace(b"\n", b" ") + b"\n")
        code = 503 if fail else 200
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(args.portfile + ".tmp", args.portfile)
srv.serve_forever()
