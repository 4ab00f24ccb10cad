"""An HTTPS front for a local HTTP server, for mlflow-git's TLS tests.

Accepts TLS on 127.0.0.1:--port with --cert/--key and pipes the decrypted bytes to
127.0.0.1:--upstream (an `mlflow server`). With --client-ca it requires a client certificate
signed by that CA, and refuses a client without one with a TLS alert, as TLS servers do.
One thread per direction of each connection. Prints "ready" once listening.
"""

import argparse
import socket
import ssl
import threading


def pipe(source, destination):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            destination.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, destination):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, context, upstream_port):
    try:
        tls = context.wrap_socket(client, server_side=True, do_handshake_on_connect=False)
        tls.settimeout(30)
        # A failed handshake sends the alert (e.g. certificate required) before raising.
        tls.do_handshake()
        tls.settimeout(None)
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
    except (OSError, ssl.SSLError):
        client.close()
        return
    for sock in (tls, upstream):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=pipe, args=(upstream, tls), daemon=True).start()
    pipe(tls, upstream)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-ca")
    args = parser.parse_args()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    listener = socket.create_server(("127.0.0.1", args.port), backlog=128)
    print("ready", flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, context, args.upstream), daemon=True).start()


main()
