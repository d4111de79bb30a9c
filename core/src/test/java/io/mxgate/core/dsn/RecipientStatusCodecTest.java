package io.mxgate.core.dsn;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.smtp.EnhancedStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecipientStatusCodecTest {

    @Test
    void roundTrip() {
        List<RecipientStatus> in = List.of(
                new RecipientStatus(AddressParser.parseMailbox("bob@remote.test"),
                        AddressParser.parseMailbox("info@alias.test"), EnhancedStatus.of(4, 2, 0),
                        "host h[1.2.3.4] said: 452 4.2.0 full\tbox (in reply to RCPT TO command)", "h", "452 4.2.0 full"),
                RecipientStatus.of(AddressParser.parseMailbox("\"odd user\"@remote.test"), null,
                        EnhancedStatus.of(4, 0, 0), ""));
        List<RecipientStatus> out = RecipientStatusCodec.decode(RecipientStatusCodec.encode(in));
        assertEquals(in.get(0).withStatus(in.get(0).dsn(), in.get(0).reason().replace('\t', ' '), "h",
                "452 4.2.0 full"), out.get(0));
        assertEquals(in.get(1), out.get(1));
        assertEquals(out, RecipientStatusCodec.decode(RecipientStatusCodec.encodeBytes(out)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "V 2\n", "V 1\na@b\ta@b\t4.0.0\n", "V 1\nnot an address\ta@b\t4.0.0\t\t\t\n",
            "V 1\na@b\ta@b\t9.9.9\t\t\t\n"})
    void rejectsWhatItDidNotWrite(String text) {
        assertThrows(IllegalArgumentException.class, () -> RecipientStatusCodec.decode(text));
    }
}
