"""A Proton 0.37 client that calls a service by name: request/reply through a dynamic reply address."""
import sys

from proton import Message
from proton.utils import BlockingConnection

url, address = sys.argv[1], sys.argv[2]
conn = BlockingConnection(url, timeout=10)
replies = conn.create_receiver(None, dynamic=True, credit=10)
sender = conn.create_sender(address)
for text in sys.argv[3:]:
    sender.send(Message(body=text, reply_to=replies.remote_source.address, id="req-" + text))
    reply = replies.receive(timeout=10)
    replies.accept()
    print("proton: %s(%r) -> %r (correlation-id %s)" % (address, text, reply.body, reply.correlation_id), flush=True)
try:
    conn.create_sender("nobody").send(Message(body="anyone?"), timeout=5)
    print("proton: 'nobody' accepted?!")
except Exception as e:  # noqa: BLE001 - the demo shows what Proton reports
    print("proton: sending to a service nobody hosts fails fast: %s" % type(e).__name__, flush=True)
conn.close()
