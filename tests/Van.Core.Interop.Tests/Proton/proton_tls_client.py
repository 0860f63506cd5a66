"""Proton 0.37 client over TLS (amqps) used by Van's interop tests. Prints one JSON line with what it saw, then exits.

The server certificate is checked against CA (a PEM file) with peer-name verification (the URL's host name).

Modes:
  plain URL ADDRESS CA USER PASS         SASL PLAIN over TLS, then send one message
  external URL ADDRESS CA CERT KEY       present CERT/KEY (PEM) as the client certificate, SASL EXTERNAL, send one
"""
import json
import sys

from proton import Message, SSLDomain
from proton.handlers import MessagingHandler
from proton.reactor import Container


def report(**fields):
    print(json.dumps(fields), flush=True)


class TlsSend(MessagingHandler):
    def __init__(self, url, address, domain, **connect_args):
        super().__init__(prefetch=0, auto_accept=True)
        self.url, self.address, self.domain = url, address, domain
        self.connect_args = connect_args
        self.conn = None
        self.done = False
        self.reported = False

    def _report(self, **fields):
        if not self.reported:
            self.reported = True
            report(**fields)

    def on_start(self, event):
        self.conn = event.container.connect(self.url, ssl_domain=self.domain, reconnect=False, **self.connect_args)
        event.container.create_sender(self.conn, self.address)

    def on_sendable(self, event):
        if not self.done:
            self.done = True
            event.sender.send(Message(body="hello over tls"))

    def on_accepted(self, event):
        self._report(outcome="accepted", user=self.conn.transport.user)
        self.conn.close()

    def on_transport_error(self, event):
        cond = event.transport.condition
        self._report(outcome="error", error={"condition": cond.name if cond else None,
                                             "description": cond.description if cond else None})
        event.container.stop()

    def on_connection_error(self, event):
        cond = event.connection.remote_condition
        self._report(outcome="error", error={"condition": cond.name if cond else None,
                                             "description": cond.description if cond else None})
        self.conn.close()

    def on_disconnected(self, event):
        self._report(outcome="disconnected")
        event.container.stop()


def main():
    mode, url, address, ca = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    domain = SSLDomain(SSLDomain.MODE_CLIENT)
    domain.set_trusted_ca_db(ca)
    domain.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME)
    if mode == "plain":
        handler = TlsSend(url, address, domain, user=sys.argv[5], password=sys.argv[6], allowed_mechs="PLAIN")
    elif mode == "external":
        domain.set_credentials(sys.argv[5], sys.argv[6], None)
        handler = TlsSend(url, address, domain, allowed_mechs="EXTERNAL")
    else:
        raise SystemExit("unknown mode " + mode)
    Container(handler).run()


if __name__ == "__main__":
    main()
