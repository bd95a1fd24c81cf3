package io.videoevents.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Keys made fresh for each test run (nothing private is committed) and tokens signed with them,
 * honest and forged. Honest tokens carry the issuer and audience the service is configured to expect
 * ({@link #verificationSettings()}).
 */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.video-events.test";
    public static final String AUDIENCE = "video-events";

    private static final KeyPair TRUSTED = shared("trusted");
    private static final KeyPair ATTACKER = shared("attacker");
    private static final String PUBLIC_PEM = pem(TRUSTED);
    private static final Path PUBLIC_KEY_FILE = writePublicKey();

    private TestTokens() {
    }

    /** Where the trusted public key is, for {@code mp.jwt.verify.publickey.location}. */
    public static String publicKeyLocation() {
        return PUBLIC_KEY_FILE.toAbsolutePath().toString();
    }

    /** The trusted public key as PEM text, for {@code mp.jwt.verify.publickey}. */
    public static String publicKeyPem() {
        return PUBLIC_PEM;
    }

    /** The settings that make the service verify tokens as these are signed: key, issuer, audience. */
    public static Map<String, String> verificationSettings() {
        return Map.of(
                "mp.jwt.verify.publickey.location", publicKeyLocation(),
                "mp.jwt.verify.issuer", ISSUER,
                "mp.jwt.verify.audiences", AUDIENCE);
    }

    public static String user(String subject) {
        return token(subject, List.of(), Instant.now().plusSeconds(3600), null, ISSUER);
    }

    public static String withGroups(String subject, String... groups) {
        return token(subject, List.of(groups), Instant.now().plusSeconds(3600), null, ISSUER);
    }

    public static String expiringAt(String subject, Instant expiry) {
        return token(subject, List.of(), expiry, null, ISSUER);
    }

    public static String token(String subject, List<String> groups, Instant expiry, Instant notBefore, String issuer) {
        return sign(claims(subject, groups, expiry, notBefore, issuer), TRUSTED, AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /**
     * Signed with the trusted key by the expected issuer, but for these audiences ({@code aud} left out when
     * none are given): a token the identity provider issued for some other service.
     */
    public static String forAudiences(String subject, List<String> groups, String... audiences) {
        JwtClaims claims = claims(subject, groups, Instant.now().plusSeconds(3600), null, ISSUER);
        claims.unsetClaim("aud");
        if (audiences.length > 0) {
            claims.setAudience(audiences);
        }
        return sign(claims, TRUSTED, AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /** Signed with a key the service does not trust. */
    public static String signedByAttacker(String subject, String... groups) {
        return sign(claims(subject, List.of(groups), Instant.now().plusSeconds(3600), null, ISSUER), ATTACKER,
                AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /** {@code "alg": "none"}: no signature at all. */
    public static String unsigned(String subject, String... groups) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims(subject, List.of(groups), Instant.now().plusSeconds(3600), null, ISSUER).toJson());
            jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HS256 "signed" with the service's public key as the HMAC secret: the classic key-confusion forgery. */
    public static String hmacWithPublicKey(String subject, String... groups) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims(subject, List.of(groups), Instant.now().plusSeconds(3600), null, ISSUER).toJson());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
            jws.setKey(new HmacKey(PUBLIC_PEM.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            jws.setDoKeyValidation(false);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JwtClaims claims(String subject, List<String> groups, Instant expiry, Instant notBefore, String issuer) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(AUDIENCE);
        claims.setSubject(subject);
        claims.setGeneratedJwtId();
        claims.setIssuedAt(NumericDate.fromSeconds(Instant.now().getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(expiry.getEpochSecond()));
        if (notBefore != null) {
            claims.setNotBefore(NumericDate.fromSeconds(notBefore.getEpochSecond()));
        }
        claims.setStringListClaim("groups", groups);
        return claims;
    }

    private static String sign(JwtClaims claims, KeyPair keys, String algorithm) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(keys.getPrivate());
            jws.setAlgorithmHeaderValue(algorithm);
            jws.setHeader("typ", "JWT");
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One key pair per run, kept in a system property: test resources and test classes may be loaded by
     * different class loaders, and must still sign and verify with the same keys.
     */
    private static synchronized KeyPair shared(String name) {
        String property = "test-only.jwt-keys." + name;
        String stored = System.getProperty(property);
        try {
            java.security.KeyFactory factory = java.security.KeyFactory.getInstance("RSA");
            if (stored != null) {
                String[] parts = stored.split(":");
                return new KeyPair(
                        factory.generatePublic(new java.security.spec.X509EncodedKeySpec(Base64.getDecoder().decode(parts[0]))),
                        factory.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts[1]))));
            }
            KeyPair keys = generate();
            System.setProperty(property, Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()) + ":"
                    + Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()));
            return keys;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static Path writePublicKey() {
        try {
            Path file = Files.createTempFile("video-events-test-key", ".pem");
            Files.writeString(file, PUBLIC_PEM);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
