package io.osapi.core.domain;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * The controller's Ed25519 signature of a privileged job, stored in the job's record and its
 * notification: a worker runs a privileged job only when it verifies with one of the keys it
 * holds and has not expired. What is signed is {@link #bytes}.
 *
 * @param keyId which key signed it: the fingerprint of its public key ({@code SHA256:} and hex)
 * @param expires after this no worker starts the job
 * @param value the signature, base64
 */
public record JobSignature(String keyId, Instant expires, String value) {
  private static final String TAG = "osapi privileged job v1";

  /** Checks for nulls and sizes (a key id up to 100 characters, a value up to 200). */
  public JobSignature {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(expires, "expires");
    Objects.requireNonNull(value, "value");
    if (keyId.isEmpty() || keyId.length() > 100 || value.isEmpty() || value.length() > 200) {
      throw new IllegalArgumentException("a job signature's key id or value is empty or too long");
    }
  }

  /**
   * The canonical bytes signed for {@code job} with this expiry and key id: a fixed tag, the key
   * id, the job id, the operation type, its kind, the target, the creation time, the expiry and
   * the operation data as stored. Strings are their UTF-8 bytes after a 4-byte length, times
   * epoch seconds and nanoseconds: two different jobs never share their bytes.
   */
  public static byte[] bytes(Job job, String keyId, Instant expires) {
    String data = job.operation().data();
    ByteArrayOutputStream buf = new ByteArrayOutputStream(data.length() + 256);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      string(out, TAG);
      string(out, keyId);
      string(out, job.id().value());
      string(out, job.operation().type());
      string(out, job.kind().token());
      string(out, job.target().text());
      time(out, job.created());
      time(out, expires);
      string(out, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static void time(DataOutputStream out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }
}
