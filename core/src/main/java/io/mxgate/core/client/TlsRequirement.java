package io.mxgate.core.client;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * What one SMTP conversation with one server requires of TLS: the level, and at {@code verify}/{@code secure} the
 * names the server's certificate may carry (already expanded from {@code hostname}, {@code nexthop} and
 * {@code dot-nexthop}, see {@link TlsPolicy#requirement}) and the anchors its chain must lead to.
 *
 * @param names  exact names ({@code mx.example.com}) and subdomain patterns ({@code .example.com}: any name below it)
 * @param trust  the anchors; null below {@code verify}
 */
public record TlsRequirement(ClientTls level, List<String> names, TlsTrust trust) {

    public static final TlsRequirement NONE = new TlsRequirement(ClientTls.NONE, List.of(), null);

    public TlsRequirement {
        names = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        if (level.verifies() && (trust == null || names.isEmpty())) {
            throw new IllegalArgumentException("level " + level.postfixName() + " needs trust anchors and names");
        }
    }

    /** A level that checks no certificate ({@code none}, {@code may}, {@code encrypt}). */
    public static TlsRequirement of(ClientTls level) {
        return new TlsRequirement(level, List.of(), null);
    }

    /**
     * Null when the server's chain is trusted and one of its names matches; otherwise Postfix's reason for the log
     * (the DSN says only "Server certificate not verified", as Postfix's does).
     */
    public String problem(List<? extends Certificate> chain) {
        String untrusted = trust.problem(chain);
        if (untrusted != null) {
            return "untrusted certificate: " + untrusted;
        }
        List<String> certNames = certificateNames((X509Certificate) chain.get(0));
        for (String c : certNames) {
            if (matches(c)) {
                return null;
            }
        }
        return "certificate names " + certNames + " match none of " + names;
    }

    /**
     * Postfix's match_servername (tls_verify.c): a pattern with a leading dot matches any proper subdomain; other
     * patterns match exactly, and a certificate name {@code *.example.com} stands for exactly one label.
     */
    public boolean matches(String certName) {
        String id = certName.toLowerCase(Locale.ROOT);
        for (String pattern : names) {
            if (pattern.length() > 1 && pattern.startsWith(".")) {
                if (id.length() > pattern.length() && id.endsWith(pattern)) {
                    return true;
                }
                continue;
            }
            if (id.equals(pattern)) {
                return true;
            }
            int parent = pattern.indexOf('.');
            if (id.startsWith("*.") && id.length() > 2 && parent > 0 && pattern.substring(parent).equals(id.substring(1))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The DNS names of a certificate as Postfix checks them: its subjectAltName DNS entries, or its subject's
     * CommonName when it has none.
     */
    public static List<String> certificateNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
                        out.add(s.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (out.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        out.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (InvalidNameException e) {
                return List.of();
            }
        }
        return out;
    }
}
