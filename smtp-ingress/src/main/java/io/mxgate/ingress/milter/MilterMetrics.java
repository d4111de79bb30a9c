package io.mxgate.ingress.milter;

/** Counts each filter's answers by action (continue, accept, reject, tempfail, discard, quarantine, error, ...). */
@FunctionalInterface
public interface MilterMetrics {

    void count(String milter, String action);
}
