"""An aiosmtpd handler for tests (loaded by aiosmtpd in its own process, from a copy of this
file): it refuses addresses starting with "bounce" for good (550), those starting with "later"
once for now (451), and delivers the rest into a maildir."""

from aiosmtpd.handlers import Mailbox


class Refusing(Mailbox):
    asked_once: set = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("later") and address not in self.asked_once:
            self.asked_once.add(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
