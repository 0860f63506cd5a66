"""One request/reply through a Van node with Qpid Proton's BlockingConnection (Debian python3-qpid-proton).

Usage: van_request.py URL ADDRESS BODY MESSAGE_ID [TIMEOUT_SECONDS]

Opens a dynamic receiver for replies and a sender to ADDRESS, sends BODY with reply_to and MESSAGE_ID, and prints one
JSON line: {"body", "van_node", "correlation_id", "reply_to"} or {"error": "..."}.
"""
import json
import sys

from proton import Message
from proton.utils import BlockingConnection, SendException


def main():
    url, address, body, message_id = sys.argv[1:5]
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 20.0
    conn = BlockingConnection(url, timeout=timeout, allowed_mechs="ANONYMOUS")
    try:
        receiver = conn.create_receiver(None, dynamic=True, credit=10)
        reply_to = receiver.remote_source.address
        sender = conn.create_sender(address)
        try:
            sender.send(Message(body=body, id=message_id, reply_to=reply_to))
        except SendException as e:
            print(json.dumps({"error": "send: %s" % e, "reply_to": reply_to}), flush=True)
            return 1
        reply = receiver.receive(timeout=timeout)
        receiver.accept()
        props = reply.properties or {}
        print(json.dumps({
            "body": reply.body,
            "van_node": props.get("van-node"),
            "correlation_id": reply.correlation_id,
            "reply_to": reply_to,
            "annotations": sorted(str(k) for k in (reply.annotations or {})),
        }), flush=True)
        return 0
    except Exception as e:  # report anything else as one JSON line too
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}), flush=True)
        return 1
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
