"""A loopback SMTP server for the mail tests: every received mail becomes one JSON file in OUT_DIR.

usage: python3 mail_smtpd.py PORT OUT_DIR   (prints "ready" once listening)
"""
import email
import email.policy
import json
import os
import sys
import time

from aiosmtpd.controller import Controller

port, out_dir = int(sys.argv[1]), sys.argv[2]
os.makedirs(out_dir, exist_ok=True)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        parts = {}
        files = []
        for part in msg.walk():
            disposition = part.get_content_disposition()
            if disposition in ("attachment", "inline"):
                files.append({
                    "disposition": disposition,
                    "filename": part.get_filename(),
                    "content_id": part.get("Content-ID"),
                    "content_type": part.get_content_type(),
                    "content": part.get_payload(decode=True).decode("utf-8", "replace"),
                })
            elif part.get_content_type() in ("text/plain", "text/html"):
                parts[part.get_content_type()] = part.get_content()
        doc = {
            "envelope_from": envelope.mail_from,
            "envelope_to": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "content_type": msg.get_content_type(),
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
            "headers": {k: str(v) for k, v in msg.items()},
            "files": files,
        }
        name = os.path.join(out_dir, "%d.json" % time.time_ns())
        with open(name + ".tmp", "w") as f:
            json.dump(doc, f)
        os.rename(name + ".tmp", name)
        return "250 OK"


controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
try:
    sys.stdin.read()  # runs until the test closes our stdin (or dies)
finally:
    controller.stop()
