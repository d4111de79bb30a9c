package io.mxgate.core.client;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The trust anchors the SMTP client checks a server's certificate chain against at the {@code verify} and
 * {@code secure} levels: Postfix's {@code smtp_tls_CAfile} (PEM certificates in one file) and
 * {@code smtp_tls_CApath} (a directory of PEM files; every file in it is read, OpenSSL's hash links are not needed),
 * or, when both are empty, the JVM's default trust store (Postfix would then trust nothing unless
 * {@code tls_append_default_CA} is set; a deployment that wants only its own CA names it in CAfile).
 *
 * <p>The chain is checked after the handshake, not during it, as Postfix's TLS engine does: the handshake completes
 * whatever the certificate, and the client then decides, so that it can log why and end the session politely.
 */
public final class TlsTrust {

    private final X509TrustManager manager;
    private final String source;

    private TlsTrust(X509TrustManager manager, String source) {
        this.manager = manager;
        this.source = source;
    }

    /**
     * Reads the anchors (blocking: call it at startup). A CAfile or CApath that is set but holds no certificate is
     * an error, not an empty trust store that would defer every verified delivery without saying why.
     */
    public static TlsTrust load(String caFile, String caPath) {
        boolean file = caFile != null && !caFile.isBlank();
        boolean path = caPath != null && !caPath.isBlank();
        try {
            if (!file && !path) {
                return new TlsTrust(manager(null), "the JVM's default trust store");
            }
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            List<String> sources = new ArrayList<>();
            if (file) {
                int n = addAll(anchors, Path.of(caFile.strip()));
                if (n == 0) {
                    throw new IllegalArgumentException("smtp_tls_CAfile " + caFile.strip() + " holds no certificate");
                }
                sources.add(caFile.strip());
            }
            if (path) {
                Path dir = Path.of(caPath.strip());
                int n = 0;
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                        n += addAll(anchors, p);
                    }
                }
                if (n == 0) {
                    throw new IllegalArgumentException("smtp_tls_CApath " + dir + " holds no certificate");
                }
                sources.add(caPath.strip());
            }
            return new TlsTrust(manager(anchors), String.join(", ", sources));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS trust anchors: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load TLS trust anchors: " + e.getMessage(), e);
        }
    }

    /** Where the anchors came from, for logs. */
    public String source() {
        return source;
    }

    /**
     * Null when the chain (the server's certificate first) leads to a trust anchor and is valid now; otherwise why
     * not, in the JDK's words ("PKIX path building failed: ...").
     */
    public String problem(List<? extends Certificate> chain) {
        if (chain.isEmpty()) {
            return "no certificate presented";
        }
        X509Certificate[] x509 = new X509Certificate[chain.size()];
        for (int i = 0; i < chain.size(); i++) {
            if (!(chain.get(i) instanceof X509Certificate c)) {
                return "not an X.509 certificate";
            }
            x509[i] = c;
        }
        try {
            // "UNKNOWN" is the JDK's own authType for TLS 1.3, where the key exchange no longer names the key type
            manager.checkServerTrusted(x509, "UNKNOWN");
            return null;
        } catch (CertificateException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return root.getMessage() == null ? e.toString() : root.getMessage();
        }
    }

    private static int addAll(KeyStore anchors, Path pem) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        int n = 0;
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : factory.generateCertificates(in)) {
                anchors.setCertificateEntry(pem.getFileName() + "#" + anchors.size(), c);
                n++;
            }
        } catch (CertificateException e) {
            if (n == 0 && Files.size(pem) > 0 && !Files.readString(pem, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("-----BEGIN CERTIFICATE-----")) {
                return 0;  // not a certificate file (a CApath may hold other files)
            }
            throw e;
        }
        return n;
    }

    private static X509TrustManager manager(KeyStore anchors) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(anchors);
        for (TrustManager t : f.getTrustManagers()) {
            if (t instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }
}
