"""Calls the .NET typed service IOrders ("orders") through a Van node, from Apache Qpid Proton (python).

Usage: orders_client.py HOST:PORT [--item ITEM] [--quantity N] [--id ORDER_ID] [--timeout SECONDS] [--operation OP]

A typed Van service is plain AMQP 1.0 on the wire (see src/Van.Hosting/Internal/Wire.cs):

  request  to:           the service address ("orders": this script's sender link targets it)
           subject:      the interface method ("PlaceOrderAsync")
           content-type: application/json
           body:         the method's argument as camelCase JSON, in a data section
           message-id:   anything; it comes back as the reply's correlation-id
           reply-to:     where the reply goes: here, a dynamic receiver the node creates for this connection
           ttl:          optional; the handler's deadline (it is cancelled when it passes)
  reply    body:         the method's result as JSON (data section), correlation-id = the request's message-id
  failure  the request's outcome is REJECTED: van:service-error when the method threw (the exception's type in the
           error's info under "type"), van:no-route when nothing serves the address.

Prints the JSON reply on success (exit 0); prints the error condition and description on a rejected or released
outcome, or a timeout (exit 1).
"""
import argparse
import json
import sys
import uuid

from proton import Message
from proton.handlers import MessagingHandler
from proton.reactor import Container


class OrdersClient(MessagingHandler):
    def __init__(self, url, operation, argument, timeout):
        super().__init__(auto_accept=True)
        self.url = url
        self.operation = operation
        self.argument = argument
        self.timeout = timeout
        self.message_id = "py-%s" % uuid.uuid4()
        self.reply_to = None
        self.sent = False
        self.exit_code = 1
        self.connection = None
        self.sender = None
        self.receiver = None
        self.timer = None

    def on_start(self, event):
        self.connection = event.container.connect(self.url, allowed_mechs="ANONYMOUS")
        # A dynamic receiver: the node names a reply address for this connection (remote_source.address).
        self.receiver = event.container.create_receiver(self.connection, None, dynamic=True)
        self.sender = event.container.create_sender(self.connection, "orders")
        self.timer = event.container.schedule(self.timeout, self)

    def on_link_opened(self, event):
        if event.receiver is not None:  # the only receiver: the dynamic one, now named by the node
            self.reply_to = event.receiver.remote_source.address
            self.send_request()

    def on_sendable(self, event):
        self.send_request()

    def send_request(self):
        if self.sent or self.reply_to is None or self.sender.credit <= 0:
            return
        body = json.dumps(self.argument).encode("utf-8") if self.argument is not None else b""
        # inferred=True: bytes become a data section (without it Proton sends an amqp-value holding binary, which Van
        # accepts as well).
        request = Message(
            body=body,
            inferred=True,
            id=self.message_id,
            reply_to=self.reply_to,
            subject=self.operation,
            content_type="application/json",
            ttl=self.timeout,
        )
        self.sender.send(request)
        self.sent = True

    def on_message(self, event):
        reply = event.message
        if reply.correlation_id != self.message_id:
            return
        data = bytes(reply.body) if reply.body is not None else b""
        print(json.dumps(json.loads(data) if data else None), flush=True)
        self.finish(0)

    def on_rejected(self, event):
        self.report_failure("rejected", event.delivery.remote.condition)

    def on_released(self, event):
        self.report_failure("released", None)

    def on_timer_task(self, event):
        print("error: no reply within %g s" % self.timeout, file=sys.stderr, flush=True)
        self.finish(1)

    def on_transport_error(self, event):
        condition = event.transport.condition
        print("error: connection to %s failed: %s" % (self.url, condition.description if condition else "unknown"),
              file=sys.stderr, flush=True)
        self.finish(1)

    def report_failure(self, outcome, condition):
        if condition is None:
            print("%s: (no error condition)" % outcome, flush=True)
        else:
            info = dict(condition.info) if condition.info else {}
            remote_type = info.get("type")
            print("%s: %s: %s%s" % (outcome, condition.name, condition.description,
                                    " (remote exception %s)" % remote_type if remote_type else ""), flush=True)
        self.finish(1)

    def finish(self, exit_code):
        self.exit_code = exit_code
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def main():
    parser = argparse.ArgumentParser(description="Call IOrders at 'orders' through a Van node.")
    parser.add_argument("node", help="the node's listener, HOST:PORT")
    parser.add_argument("--operation", default="PlaceOrderAsync", choices=["PlaceOrderAsync", "GetStatusAsync"])
    parser.add_argument("--id", default="proton-1", help="the order's id")
    parser.add_argument("--item", default="espresso")
    parser.add_argument("--quantity", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for the reply")
    args = parser.parse_args()

    argument = {"id": args.id, "item": args.item, "quantity": args.quantity} if args.operation == "PlaceOrderAsync" else None
    client = OrdersClient(args.node, args.operation, argument, args.timeout)
    Container(client).run()
    return client.exit_code


if __name__ == "__main__":
    sys.exit(main())
