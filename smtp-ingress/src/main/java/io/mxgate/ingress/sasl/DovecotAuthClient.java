package io.mxgate.ingress.sasl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Postfix's {@code smtpd_sasl_type = dovecot} over TCP: Dovecot's authentication client protocol (VERSION, CPID,
 * then {@code AUTH id PLAIN service=smtp ... resp=base64} answered by {@code OK id user=...} or {@code FAIL id}).
 * Every mechanism we offer is sent to Dovecot as PLAIN, so Dovecot's passdb decides. One connection per event loop,
 * opened on first use and again after a failure; requests are matched to answers by id.
 */
public final class DovecotAuthClient {

    /** What Dovecot said: the authenticated user, or null when the credentials were refused. */
    public record Result(String user) {
    }

    private static final int MAX_LINE = 16 * 1024;

    private final NetClient netClient;
    private final String host;
    private final int port;
    private final long timeoutMillis;
    private final Vertx vertx;
    private final Map<Long, Promise<Result>> waiting = new HashMap<>();
    private Future<NetSocket> connection;
    private Buffer pending = Buffer.buffer();
    private long nextId = 1;

    public DovecotAuthClient(Vertx vertx, String host, int port, long timeoutMillis) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
        this.netClient = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) timeoutMillis));
    }

    /** Checks a username and password; fails when Dovecot cannot be asked (454 for the client). */
    public Future<Result> authenticate(String authzid, String user, String password, String clientAddress,
                                       boolean secured) {
        byte[] plain = (authzid + "\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
        long id = nextId++;
        String request = "AUTH\t" + id + "\tPLAIN\tservice=smtp\tnologin\trip=" + clientAddress
                + (secured ? "\tsecured" : "") + "\tresp=" + Base64.getEncoder().encodeToString(plain) + "\n";
        return connect().compose(socket -> {
            Promise<Result> p = Promise.promise();
            waiting.put(id, p);
            socket.write(request);
            long timer = vertx.setTimer(timeoutMillis, t -> {
                if (waiting.remove(id) != null) {
                    p.tryFail("timeout waiting for Dovecot auth");
                }
            });
            return p.future().onComplete(ar -> vertx.cancelTimer(timer));
        });
    }

    private Future<NetSocket> connect() {
        if (connection == null) {
            connection = netClient.connect(port, host).map(socket -> {
                socket.handler(this::onData);
                socket.closeHandler(v -> broken("connection to Dovecot auth closed"));
                socket.exceptionHandler(e -> socket.close());
                socket.write("VERSION\t1\t1\nCPID\t" + ProcessHandle.current().pid() + "\n");
                return socket;
            });
            connection.onFailure(e -> connection = null);
        }
        return connection;
    }

    private void onData(Buffer data) {
        pending.appendBuffer(data);
        int start = 0;
        for (int i = 0; i < pending.length(); i++) {
            if (pending.getByte(i) == '\n') {
                onLine(pending.getString(start, i, "UTF-8"));
                start = i + 1;
            }
        }
        pending = pending.getBuffer(start, pending.length());
        if (pending.length() > MAX_LINE) {
            broken("Dovecot auth line too long");
        }
    }

    private void onLine(String line) {
        String[] f = line.split("\t");
        if (f.length < 2 || !(f[0].equals("OK") || f[0].equals("FAIL") || f[0].equals("CONT"))) {
            return; // handshake lines (VERSION, MECH, SPID, CUID, COOKIE, DONE)
        }
        Promise<Result> p;
        try {
            p = waiting.remove(Long.parseLong(f[1]));
        } catch (NumberFormatException e) {
            return;
        }
        if (p == null) {
            return;
        }
        if (f[0].equals("OK")) {
            String user = null;
            for (int i = 2; i < f.length; i++) {
                if (f[i].startsWith("user=")) {
                    user = f[i].substring(5);
                }
            }
            p.complete(new Result(user));
        } else {
            // FAIL, or CONT (PLAIN takes no further round): the credentials are refused.
            p.complete(new Result(null));
        }
    }

    private void broken(String why) {
        connection = null;
        pending = Buffer.buffer();
        Map<Long, Promise<Result>> failed = new HashMap<>(waiting);
        waiting.clear();
        failed.values().forEach(p -> p.tryFail(why));
    }

    public void close() {
        netClient.close();
    }
}
