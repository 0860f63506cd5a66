"""Proton 0.37 client used by Van's interop tests. Prints one JSON line with what it saw, then exits.

Modes:
  sendrecv URL ADDRESS COUNT   sender + receiver on ADDRESS; COUNT unsettled messages; all must come back
  large URL ADDRESS SIZE       one message with a SIZE-byte data section (byte i = i % 251)
  idle URL SECONDS HEARTBEAT   connect with heartbeat=HEARTBEAT s, stay idle SECONDS, then send one message
  plain URL ADDRESS USER PASS  SASL PLAIN, then send one message
"""
import json
import sys

from proton import Message
from proton.handlers import MessagingHandler
from proton.reactor import Container


def report(**fields):
    print(json.dumps(fields), flush=True)


class Base(MessagingHandler):
    def __init__(self, url, **connect_args):
        super().__init__(prefetch=0, auto_accept=True)
        self.url = url
        self.connect_args = connect_args
        self.error = None
        self.conn = None

    def on_start(self, event):
        self.conn = event.container.connect(self.url, **self.connect_args)

    def _fail(self, what, cond):
        if self.error is None:
            self.error = {"what": what, "condition": cond.name if cond else None,
                          "description": cond.description if cond else None}
        if self.conn:
            self.conn.close()

    def on_transport_error(self, event):
        self._fail("transport", event.transport.condition)

    def on_connection_error(self, event):
        self._fail("connection", event.connection.remote_condition)

    def on_link_error(self, event):
        self._fail("link", event.link.remote_condition)

    def on_disconnected(self, event):
        # Never reconnect: a test wants to see the first failure.
        if self.conn:
            self.conn.close()
        event.container.stop()


class SendRecv(Base):
    def __init__(self, url, address, count):
        super().__init__(url, reconnect=False, allowed_mechs="ANONYMOUS")
        self.address, self.count = address, count
        self.sent = self.accepted = self.settled = self.received = 0
        self.in_order = True

    def on_start(self, event):
        super().on_start(event)
        self.sender = event.container.create_sender(self.conn, self.address)
        self.receiver = event.container.create_receiver(self.conn, self.address)
        self.receiver.flow(100)

    def on_sendable(self, event):
        while event.sender.credit and self.sent < self.count:
            event.sender.send(Message(id=self.sent, body="msg-%d" % self.sent))
            self.sent += 1

    def on_accepted(self, event):
        self.accepted += 1
        self._maybe_done()

    def on_settled(self, event):
        self.settled += 1
        self._maybe_done()

    def on_message(self, event):
        if event.message.body != "msg-%d" % self.received:
            self.in_order = False
        self.received += 1
        event.receiver.flow(1)
        self._maybe_done()

    def _maybe_done(self):
        if self.received >= self.count and self.settled >= self.count:
            report(sent=self.sent, accepted=self.accepted, settled=self.settled, received=self.received,
                   in_order=self.in_order, error=self.error)
            self.conn.close()

    def on_connection_closed(self, event):
        if self.received < self.count:
            report(sent=self.sent, accepted=self.accepted, settled=self.settled, received=self.received,
                   in_order=self.in_order, error=self.error or "closed early")


class Large(Base):
    def __init__(self, url, address, size):
        super().__init__(url, reconnect=False, allowed_mechs="ANONYMOUS")
        self.address, self.size, self.done = address, size, False

    def on_start(self, event):
        super().on_start(event)
        event.container.create_sender(self.conn, self.address)

    def on_sendable(self, event):
        if not self.done:
            self.done = True
            data = bytes(i % 251 for i in range(self.size))
            event.sender.send(Message(body=data, inferred=True, id="big"))

    def on_accepted(self, event):
        report(outcome="accepted", size=self.size, max_frame=self.conn.transport.remote_max_frame_size)
        self.conn.close()

    def on_rejected(self, event):
        report(outcome="rejected", error=self.error)
        self.conn.close()


class Idle(Base):
    def __init__(self, url, seconds, heartbeat):
        super().__init__(url, reconnect=False, heartbeat=heartbeat, allowed_mechs="ANONYMOUS")
        self.seconds = seconds
        self.fired = False

    def on_start(self, event):
        super().on_start(event)
        self.sender = event.container.create_sender(self.conn, "idle")
        event.container.schedule(self.seconds, self)

    def on_timer_task(self, event):
        self.fired = True
        if self.error is None and self.sender.credit:
            self.sender.send(Message(body="still here"))
        elif self.error is None:
            report(outcome="no-credit", error=self.error)
            self.conn.close()

    def on_accepted(self, event):
        report(outcome="accepted", idle_seconds=self.seconds, error=self.error)
        self.conn.close()

    def on_connection_closed(self, event):
        if not self.fired or self.error:
            report(outcome="closed", error=self.error)


class Plain(Base):
    def __init__(self, url, address, user, password):
        super().__init__(url, reconnect=False, user=user, password=password, allow_insecure_mechs=True,
                         allowed_mechs="PLAIN")
        self.address, self.done = address, False

    def on_start(self, event):
        super().on_start(event)
        event.container.create_sender(self.conn, self.address)

    def on_sendable(self, event):
        if not self.done:
            self.done = True
            event.sender.send(Message(body="hello with plain"))

    def on_accepted(self, event):
        report(outcome="accepted")
        self.conn.close()

    def on_transport_error(self, event):
        super().on_transport_error(event)
        report(outcome="error", error=self.error)
        event.container.stop()


def main():
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "sendrecv":
        handler = SendRecv(url, sys.argv[3], int(sys.argv[4]))
    elif mode == "large":
        handler = Large(url, sys.argv[3], int(sys.argv[4]))
    elif mode == "idle":
        handler = Idle(url, float(sys.argv[3]), float(sys.argv[4]))
    elif mode == "plain":
        handler = Plain(url, sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        raise SystemExit("unknown mode " + mode)
    Container(handler).run()


if __name__ == "__main__":
    main()
