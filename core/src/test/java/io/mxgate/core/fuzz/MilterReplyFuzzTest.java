package io.mxgate.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mxgate.core.milter.MalformedMilterPacketException;
import io.mxgate.core.milter.MilterCodec;
import io.mxgate.core.milter.MilterFrameDecoder;
import io.mxgate.core.milter.MilterProtocol;
import io.mxgate.core.milter.MilterReply;

import java.util.Arrays;

import static io.mxgate.core.fuzz.FuzzSupport.check;

/**
 * What a filter sends, cut into packets by {@link MilterFrameDecoder} in two pieces (split where the first byte
 * says) and decoded by {@link MilterCodec#decodeReply}, as smtp-ingress's milter client reads it. Only
 * {@link MalformedMilterPacketException} may escape, and after one the stream is given up, as the client does.
 * A packet is never longer than {@link MilterProtocol#MAX_PACKET} and the decoder never holds more than it was fed;
 * a decoded reply encodes to bytes that decode to the same reply; a REPLYCODE is a 4xx/5xx reply whose enhanced
 * status, if any, is of its class.
 */
class MilterReplyFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] input) {
        int split = input.length == 0 ? 0 : (input[0] & 0xff) % (input.length + 1);
        MilterFrameDecoder decoder = new MilterFrameDecoder(MilterProtocol.MAX_PACKET);
        try {
            decoder.feed(Arrays.copyOfRange(input, 0, split));
            drain(decoder, input);
            decoder.feed(Arrays.copyOfRange(input, split, input.length));
            drain(decoder, input);
            check(decoder.buffered() <= input.length, "decoder holds more than it was fed", input);
        } catch (MalformedMilterPacketException e) {
            check(e.getMessage() != null, "malformed without a reason", input);
        }
    }

    private static void drain(MilterFrameDecoder decoder, byte[] input) {
        for (MilterFrameDecoder.Packet p; (p = decoder.next()) != null; ) {
            check(p.data().length + 1 <= MilterProtocol.MAX_PACKET, "packet longer than the bound", input);
            MilterReply reply;
            try {
                reply = MilterCodec.decodeReply(p.code(), p.data());
            } catch (MalformedMilterPacketException e) {
                continue; // the client gives the filter up; the fuzzer goes on to see the decoder stay sane
            }
            byte[] again = MilterCodec.encode(reply);
            MilterReply back = MilterCodec.decodeReply((char) (again[4] & 0xff), Arrays.copyOfRange(again, 5,
                    again.length));
            MilterReply decoded = reply;
            check(back.equals(reply), () -> decoded + " encodes to something that decodes to " + back, input);
            if (reply instanceof MilterReply.ReplyCode c) {
                check(c.reply().code() >= 400 && c.reply().code() < 600, "REPLYCODE not 4xx/5xx: " + c.reply(),
                        input);
                check(c.reply().status() == null || c.reply().status().klass() == c.reply().code() / 100,
                        "enhanced status of another class: " + c.reply(), input);
            }
        }
    }
}
