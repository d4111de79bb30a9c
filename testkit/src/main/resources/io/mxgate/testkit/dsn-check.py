# dsn-check.py -- parses a message with Python's email package and prints what a DSN test needs, one
# "key=value" per line: the MIME structure, the parser's defects, the delivery-status fields (per message and
# per recipient) and the Subject of the returned headers. Reads the message on stdin.
import sys
import email
from email import policy
from email.parser import HeaderParser

msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
out = []
defects = [str(d) for d in msg.defects]
out.append(("type", msg.get_content_type()))
out.append(("report-type", msg.get_param("report-type") or ""))
for h in ("subject", "from", "to", "auto-submitted"):
    out.append((h, str(msg[h] or "")))
parts = list(msg.iter_parts()) if msg.is_multipart() else []
out.append(("parts", ",".join(p.get_content_type() for p in parts)))
for p in parts:
    defects += [str(d) for d in p.defects]
if len(parts) >= 2 and parts[1].get_content_type() == "message/delivery-status":
    blocks = parts[1].get_payload()
    out.append(("blocks", str(len(blocks))))
    for k, v in blocks[0].items():
        out.append(("message." + k.lower(), str(v)))
    for i, b in enumerate(blocks[1:]):
        for k, v in b.items():
            out.append(("recipient.%d.%s" % (i, k.lower()), str(v)))
if len(parts) >= 3:
    returned = HeaderParser(policy=policy.default).parsestr(parts[2].get_payload(decode=True).decode("utf-8", "replace"))
    out.append(("returned.subject", str(returned["subject"] or "")))
    out.append(("returned.message-id", str(returned["message-id"] or "")))
out.append(("defects", ";".join(defects)))
for k, v in out:
    print("%s=%s" % (k, v.replace("\n", " ")))
