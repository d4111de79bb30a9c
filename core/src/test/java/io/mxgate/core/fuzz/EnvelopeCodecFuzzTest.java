package io.mxgate.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;

import java.util.Arrays;

import static io.mxgate.core.fuzz.FuzzSupport.check;
import static io.mxgate.core.fuzz.FuzzSupport.checkAddress;
import static io.mxgate.core.fuzz.FuzzSupport.esc;

/**
 * {@link EnvelopeCodec#decode} on arbitrary Kafka header bytes: it documents only
 * {@link EnvelopeCodec.MalformedEnvelopeException} (the record then goes to the corrupt topic), so anything else
 * escaping is a finding. Whatever decodes must survive the codec: {@code encode(decode(x))} decodes again to an
 * envelope that encodes to the same bytes (one round makes it a fixpoint; the only change the first round may make
 * is a CR inside a value becoming a space), and its addresses are well-formed.
 */
class EnvelopeCodecFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] input) {
        Envelope envelope;
        try {
            envelope = EnvelopeCodec.decode(input);
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            check(e.getMessage() != null, "exception without message", input);
            return;
        }
        check(envelope != null && !envelope.recipients().isEmpty(), () -> "decoded " + envelope, input);
        checkAddress(envelope.sender(), input);
        for (MailAddress r : envelope.recipients()) {
            check(!r.isNullSender(), "null recipient", input);
            checkAddress(r, input);
        }
        byte[] encoded = EnvelopeCodec.encode(envelope);
        Envelope again;
        try {
            again = EnvelopeCodec.decode(encoded);
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            throw new AssertionError("encode(decode(x)) = " + esc(encoded) + " does not decode: " + e.getMessage()
                    + " -- input " + esc(input), e);
        }
        check(Arrays.equals(EnvelopeCodec.encode(again), encoded), () -> "encode(decode(encode(decode(x)))) differs from "
                + esc(encoded), input);
        check(again.equals(withoutCr(envelope)), () -> "round trip changed " + envelope + " into " + again, input);
    }

    private static Envelope withoutCr(Envelope e) {
        Envelope.Client c = e.client();
        return new Envelope(cr(e.queueId()), e.arrival(), e.sender(), e.recipients(),
                new Envelope.Client(cr(c.name()), cr(c.address()), cr(c.helo()), cr(c.protocol())), e.attempts(),
                cr(e.reason()));
    }

    private static String cr(String s) {
        return s.replace('\r', ' ');
    }
}
