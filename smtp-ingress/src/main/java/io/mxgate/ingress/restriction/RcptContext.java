package io.mxgate.ingress.restriction;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;

/**
 * Everything a recipient restriction may look at, as Postfix's smtpd state holds it at RCPT time.
 *
 * @param clientAddress the client's IP address (after PROXY protocol, the real one)
 * @param clientName    the verified reverse name, or {@code unknown}
 * @param helo          the HELO/EHLO argument, empty when none was given
 * @param saslUser      the authenticated user, or null
 * @param size          the size declared with MAIL FROM SIZE=, or -1
 */
public record RcptContext(String clientAddress, String clientName, String helo, MailAddress sender,
                          MailAddress recipient, AddressClass recipientClass, String saslUser, long size) {

    /** {@code name[address]}, how Postfix names the client in replies and logs. */
    public String client() {
        return clientName + "[" + clientAddress + "]";
    }
}
