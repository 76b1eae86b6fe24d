// Delta Hub request signing in Java 17+, JDK only, from docs/protocol.md alone.
//
//   java docs/examples/SignRequest.java ES256 sh-jtw sh-jtw-2026-01 <d> POST /v1/echo '{"message":"hi"}'
//   java docs/examples/SignRequest.java EdDSA js-jtt js-jtt-2026-01 <d> POST '/v1/echo?trace=worked-example' \
//       '{"message":"你好, Delta Hub"}' 1767225600 EBESExQVFhcYGRobHB0eHw
//
// <d> is the private JWK's "d" member (base64url). Prints the x-jws-signature value; the second
// command reproduces the EdDSA worked example (§14.2) byte for byte. Parse the JWK with your JSON
// library of choice; it is taken apart by hand here only to stay dependency-free.
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;

public class SignRequest {
  static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  public static void main(String[] args) throws Exception {
    String alg = args[0], iss = args[1], kid = args[2], d = args[3], method = args[4], target = args[5];
    byte[] body = args[6].getBytes(StandardCharsets.UTF_8);
    long iat = args.length > 7 ? Long.parseLong(args[7]) : System.currentTimeMillis() / 1000;
    String jti = args.length > 8 ? args[8] : randomNonce();
    System.out.println(sign(alg, privateKey(alg, d), iss, kid, method, target, body, iat, jti));
  }

  static String sign(String alg, PrivateKey key, String iss, String kid, String method, String pathAndQuery,
      byte[] body, long iat, String jti) throws Exception {
    // Compact JSON. The values here need no escaping; use a JSON library if yours might.
    String header = "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\",\"typ\":\"delta-hub-request+jws\""
        + ",\"iss\":\"" + iss + "\",\"htm\":\"" + method.toUpperCase() + "\",\"htu\":\"" + pathAndQuery + "\""
        + ",\"iat\":" + iat + ",\"jti\":\"" + jti + "\"}";
    String protectedB64 = B64URL.encodeToString(header.getBytes(StandardCharsets.UTF_8));
    byte[] input = (protectedB64 + "." + B64URL.encodeToString(body)).getBytes(StandardCharsets.US_ASCII);
    // "SHA256withECDSA" would return DER, which the hub refuses (signature-invalid);
    // the P1363 variant returns the raw 64-byte r||s that JWS requires.
    Signature signer = Signature.getInstance(alg.equals("ES256") ? "SHA256withECDSAinP1363Format" : "Ed25519");
    signer.initSign(key);
    signer.update(input);
    return protectedB64 + ".." + B64URL.encodeToString(signer.sign());
  }

  static PrivateKey privateKey(String alg, String d) throws Exception {
    byte[] raw = Base64.getUrlDecoder().decode(d);
    if (alg.equals("ES256")) {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec("secp256r1"));
      ECParameterSpec p256 = params.getParameterSpec(ECParameterSpec.class);
      return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(1, raw), p256));
    }
    return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, raw));
  }

  static String randomNonce() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return B64URL.encodeToString(bytes);
  }
}
