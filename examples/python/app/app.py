"""Sample application of the Python preset.

    python app.py           print the greeting and exit
    python app.py --serve   serve it over HTTP on $PORT (default 8000)
"""
import http.server
import os
import sys

from greeting import greet

# MESSAGE is the line the benchmarks edit for a warm rebuild.
MESSAGE = greet("the python preset")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (MESSAGE + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    print(MESSAGE, f"(python {sys.version.split()[0]}, uid {os.getuid()})", flush=True)
    if "--serve" in sys.argv:
        port = int(os.environ.get("PORT", "8000"))
        http.server.HTTPServer(("", port), Handler).serve_forever()
