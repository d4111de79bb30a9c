package io.mxgate.core.milter;

/**
 * The numbers of milter protocol version 6 (libmilter's {@code mfdef.h}, Postfix's {@code milter8.c}): actions a
 * filter may take (SMFIF_*), protocol steps it may skip or leave unanswered (SMFIP_*), macro stages (SMFIM_*).
 */
public final class MilterProtocol {

    private MilterProtocol() {
    }

    public static final int VERSION = 6;

    /** libmilter's MILTER_CHUNK_SIZE: the largest body chunk we send. */
    public static final int CHUNK_SIZE = 65535;

    /**
     * The longest packet we read. libmilter sends at most 64 KiB of data per packet unless the MTA offered
     * SMFIP_MDS_256K/1M, which we do not; REPLYCODE texts and headers are far shorter. Postfix allows INT_MAX/2,
     * which would let a broken filter make us buffer a gigabyte.
     */
    public static final int MAX_PACKET = 65536 + 1024;

    // SMFIF_*: what a filter may do at end-of-message
    public static final int ADD_HEADERS = 0x01;
    public static final int CHANGE_BODY = 0x02;
    public static final int ADD_RECIPIENT = 0x04;
    public static final int DELETE_RECIPIENT = 0x08;
    public static final int CHANGE_HEADERS = 0x10;
    public static final int QUARANTINE = 0x20;
    public static final int CHANGE_SENDER = 0x40;
    public static final int ADD_RECIPIENT_PARAMETERS = 0x80;
    public static final int SET_MACRO_LIST = 0x100;
    /** Every action Postfix allows, and we with it. */
    public static final int ALL_ACTIONS = 0x1ff;

    // SMFIP_*: steps not sent (NO*) or not answered (NR_*)
    public static final int NO_CONNECT = 0x1;
    public static final int NO_HELO = 0x2;
    public static final int NO_MAIL = 0x4;
    public static final int NO_RCPT = 0x8;
    public static final int NO_BODY = 0x10;
    public static final int NO_HEADERS = 0x20;
    public static final int NO_EOH = 0x40;
    public static final int NR_HEADER = 0x80;
    public static final int NO_UNKNOWN = 0x100;
    public static final int NO_DATA = 0x200;
    public static final int SKIP = 0x400;
    public static final int RCPT_REJECTED = 0x800;
    public static final int NR_CONNECT = 0x1000;
    public static final int NR_HELO = 0x2000;
    public static final int NR_MAIL = 0x4000;
    public static final int NR_RCPT = 0x8000;
    public static final int NR_DATA = 0x10000;
    public static final int NR_UNKNOWN = 0x20000;
    public static final int NR_EOH = 0x40000;
    public static final int NR_BODY = 0x80000;
    public static final int HEADER_LEADING_SPACE = 0x100000;

    /**
     * The steps we offer with version 6: Postfix's MILTER8_V6_PROTO_MASK without SMFIP_RCPT_REJ, since we never send
     * a filter the recipients our own restrictions rejected, and without the UNKNOWN steps, since we send no
     * unknown commands either.
     */
    public static final int OFFERED_STEPS = NO_CONNECT | NO_HELO | NO_MAIL | NO_RCPT | NO_BODY | NO_HEADERS | NO_EOH
            | NR_HEADER | NO_UNKNOWN | NO_DATA | SKIP | NR_CONNECT | NR_HELO | NR_MAIL | NR_RCPT | NR_DATA | NR_UNKNOWN
            | NR_EOH | NR_BODY | HEADER_LEADING_SPACE;

    // SMFIM_*: macro stages of SMFIR_SETSYMLIST
    public static final int STAGE_CONNECT = 0;
    public static final int STAGE_HELO = 1;
    public static final int STAGE_MAIL = 2;
    public static final int STAGE_RCPT = 3;
    public static final int STAGE_DATA = 4;
    public static final int STAGE_EOM = 5;
    public static final int STAGE_EOH = 6;
}
