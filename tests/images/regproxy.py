# A tiny HTTP proxy in front of a test registry that misbehaves on purpose: drops the connection
# in the middle of a blob, answers 500 the first times, corrupts a blob, or serves a manifest of
# a type hull must refuse. Runs in a thread of the test process.
import http.client
import http.server
import threading


class Faults:
    def __init__(self):
        self.drop_after = None      # bytes of a blob body to send before closing the connection
        self.drop_times = 0         # how many blob GETs to break that way
        self.fail_500 = 0           # how many requests (any) answer 500 first
        self.corrupt_blobs = False  # flip a byte in every blob body
        self.bad_manifest = False   # serve a schema 1 manifest for every manifest GET
        self.stall_blobs = False    # blob GETs send headers then hang (for kill tests)
        self.requests = []          # (method, path, range header)
        self.lock = threading.Lock()


def make_handler(upstream, faults):
    host, port = upstream.split(":")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _forward(self, method):
            with faults.lock:
                faults.requests.append((method, self.path, self.headers.get("Range")))
                fail = faults.fail_500 > 0
                if fail:
                    faults.fail_500 -= 1
            if fail:
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            is_blob = "/blobs/sha256:" in self.path and method == "GET"
            if "/manifests/" in self.path and method == "GET" and faults.bad_manifest:
                body = b'{"schemaVersion":1,"name":"x","tag":"latest","fsLayers":[]}'
                self.send_response(200)
                self.send_header("Content-Type",
                                 "application/vnd.docker.distribution.manifest.v1+prettyjws")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(method, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read() if method != "HEAD" else b""
            # Follow the registry's redirect for blobs ourselves: keeps the proxy in the path.
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() in ("transfer-encoding", "connection", "content-length"):
                    continue
                if k.lower() == "location" and v.startswith(f"http://{upstream}"):
                    v = v.replace(f"http://{upstream}", f"http://{self.headers['Host']}")
                self.send_header(k, v)
            if method == "HEAD":
                self.send_header("Content-Length", resp.getheader("Content-Length") or "0")
                self.end_headers()
                return
            if is_blob and resp.status in (200, 206) and faults.corrupt_blobs and data:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with faults.lock:
                drop = (is_blob and resp.status in (200, 206) and faults.drop_times > 0
                        and faults.drop_after is not None and len(data) > faults.drop_after)
                if drop:
                    faults.drop_times -= 1
            if is_blob and faults.stall_blobs:
                self.wfile.write(data[: len(data) // 3])
                self.wfile.flush()
                threading.Event().wait(30)
                self.close_connection = True
                return
            if drop:
                self.wfile.write(data[: faults.drop_after])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)

        def do_GET(self):
            self._forward("GET")

        def do_HEAD(self):
            self._forward("HEAD")

        def do_PUT(self):
            self._forward("PUT")

        def do_POST(self):
            self._forward("POST")

        def do_PATCH(self):
            self._forward("PATCH")

    return Handler


class Proxy:
    def __init__(self, upstream):
        self.faults = Faults()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      make_handler(upstream, self.faults))
        self.server.daemon_threads = True
        self.addr = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
