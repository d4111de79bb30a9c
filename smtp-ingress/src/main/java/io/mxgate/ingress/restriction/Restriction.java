package io.mxgate.ingress.restriction;

import io.vertx.core.Future;

/** One element of a restriction list, built once at startup from its Postfix name and arguments. */
public interface Restriction {

    /** Never fails: a lookup problem is itself a verdict (a 4xx), never an accept. */
    Future<Verdict> check(RcptContext rcpt);

    /** The element as configured, for logs. */
    String name();

    static Restriction of(String name, java.util.function.Function<RcptContext, Future<Verdict>> check) {
        return new Restriction() {
            @Override
            public Future<Verdict> check(RcptContext rcpt) {
                return check.apply(rcpt);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
