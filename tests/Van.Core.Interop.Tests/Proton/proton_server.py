"""Proton 0.37 server (a small queueing broker) for Van's interop tests.

Listens on 127.0.0.1 port 0, prints "LISTENING <port>", then serves until killed: messages sent to an address
are queued; receivers on that address get them in order. Dynamic receivers get a fresh address.
Usage: proton_server.py [MECHS]   (MECHS: allowed SASL mechanisms, default "ANONYMOUS")
"""
import collections
import sys
import uuid

from proton.handlers import MessagingHandler
from proton.reactor import Container


class Broker(MessagingHandler):
    def __init__(self):
        super().__init__(auto_accept=True)
        self.queues = collections.defaultdict(collections.deque)
        self.consumers = collections.defaultdict(list)

    def on_start(self, event):
        acceptor = event.container.listen("127.0.0.1:0")
        port = acceptor._selectable._delegate.getsockname()[1]
        print("LISTENING %d" % port, flush=True)

    def on_link_opening(self, event):
        link = event.link
        if link.is_sender:
            if link.remote_source.dynamic:
                address = "dyn-" + str(uuid.uuid4())
                link.source.address = address
                link.source.dynamic = True
            else:
                address = link.remote_source.address
                link.source.address = address
            self.consumers[address].append(link)
        else:
            link.target.address = link.remote_target.address

    def _unsubscribe(self, link):
        for address, links in self.consumers.items():
            if link in links:
                links.remove(link)

    def on_link_closing(self, event):
        if event.link.is_sender:
            self._unsubscribe(event.link)

    def on_connection_closing(self, event):
        self._remove_all(event.connection)

    def on_disconnected(self, event):
        self._remove_all(event.connection)

    def _remove_all(self, connection):
        link = connection.link_head(0)
        while link:
            if link.is_sender:
                self._unsubscribe(link)
            link = link.next(0)

    def on_sendable(self, event):
        self._pump(event.link.source.address)

    def on_message(self, event):
        address = event.link.target.address or event.message.address
        self.queues[address].append(event.message)
        self._pump(address)

    def _pump(self, address):
        queue = self.queues[address]
        for link in self.consumers.get(address, []):
            while queue and link.credit:
                link.send(queue.popleft())


container = Container(Broker())
container.allowed_mechs = sys.argv[1] if len(sys.argv) > 1 else "ANONYMOUS"
container.run()
