/**
 * The Sendmail 8 milter protocol, MTA side, as Postfix's {@code src/milter/milter8.c} speaks it (protocol
 * version 6, libmilter's {@code mfdef.h}): every packet is a 4-byte big-endian length, one command byte and its
 * data. {@link io.mxgate.core.milter.MilterCommand} is what the MTA sends (OPTNEG, macros, CONNECT ... BODYEOB,
 * ABORT, QUIT), {@link io.mxgate.core.milter.MilterReply} what a filter answers (decisions, header and envelope
 * edits, body replacement). {@link io.mxgate.core.milter.MilterCodec} turns both into bytes and back;
 * {@link io.mxgate.core.milter.MilterFrameDecoder} cuts a byte stream into packets with a bound on the length, so
 * a filter that sends garbage cannot make us buffer without end.
 *
 * <p>Security: everything a filter sends is untrusted input. A packet that is too long, too short, of an unknown
 * command or with data left over is a {@link io.mxgate.core.milter.MalformedMilterPacketException}, never a crash;
 * the client then applies {@code milter_default_action}, as Postfix's milter8_comm_error does.
 *
 * <p>Strings travel as ISO-8859-1, so every byte a filter sends round-trips unchanged into the message.
 */
package io.mxgate.core.milter;
