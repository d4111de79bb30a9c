package io.mxgate.importer.table;

/** A table, or a value that names one, that cannot be carried over; the message says why and what to do instead. */
public final class NotImportable extends Exception {

    public NotImportable(String message) {
        super(message);
    }
}
