"""Handler for aiosmtpd (dev/tls-sink.sh): keeps every message in a file of its own, in the shape smtp-sink -d
gives it (X-Mail-Args / X-Rcpt-Args lines in front), plus an X-TLS line that says whether the transaction came over
TLS, so a test can tell what arrived, to whom, and whether any of it travelled in plaintext."""
import os
import uuid


class Dump:
    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("tls_sink.Dump takes one argument: the directory to write messages to")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        lines = ["X-TLS: %s" % ("yes" if session.ssl else "no"), "X-Mail-Args: <%s>" % envelope.mail_from]
        lines += ["X-Rcpt-Args: <%s>" % r for r in envelope.rcpt_tos]
        data = ("\r\n".join(lines) + "\r\n").encode("ascii") + envelope.original_content
        name = uuid.uuid4().hex
        tmp = os.path.join(self.directory, "." + name)
        with open(tmp, "wb") as f:
            f.write(data)
        # rename: a reader never sees half a message
        os.rename(tmp, os.path.join(self.directory, name))
        return "250 2.0.0 Ok: queued as " + name[:10]
