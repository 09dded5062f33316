package io.osapi.core.domain;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;

/**
 * A job id: a version 7 UUID in canonical lowercase form. Version 7 ids begin with the creation
 * time in milliseconds, so ordering ids as strings orders jobs by creation time (newest first is
 * descending id order) without reading the job records.
 */
public record JobId(String value) implements Comparable<JobId> {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** @throws InvalidInputException if {@code value} is not a canonical lowercase UUID */
  public JobId {
    Objects.requireNonNull(value, "value");
    if (!isCanonicalUuid(value)) {
      throw new InvalidInputException(
          "job_id", "'" + Names.abbreviate(value, 50) + "' is not a job id (a lowercase UUID)");
    }
  }

  /** Parses a job id, with a clear error for anything else. */
  public static JobId parse(String value) {
    if (value == null) {
      throw new InvalidInputException("job_id", "job id must not be empty");
    }
    return new JobId(value);
  }

  private static long lastMillis;
  private static int sequence;

  /**
   * A new version 7 UUID whose time part is {@code clock}'s current millisecond. Ids made in one
   * JVM within the same millisecond carry a rising 12-bit counter, so they sort in creation order
   * too.
   */
  public static JobId generate(Clock clock) {
    long millis = clock.millis();
    int seq;
    synchronized (JobId.class) {
      if (millis > lastMillis) {
        lastMillis = millis;
        sequence = RANDOM.nextInt(0x400); // leave room to count up
      } else {
        millis = lastMillis; // never go back in time within this JVM
        sequence++;
        if (sequence > 0xFFF) {
          lastMillis = ++millis;
          sequence = 0;
        }
      }
      seq = sequence;
    }
    byte[] rnd = new byte[10];
    RANDOM.nextBytes(rnd);
    long msb = (millis << 16) | 0x7000L | seq;
    long lsb = 0;
    for (int i = 2; i < 10; i++) {
      lsb = (lsb << 8) | (rnd[i] & 0xFFL);
    }
    lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new JobId(new UUID(msb, lsb).toString());
  }

  private static boolean isCanonicalUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int compareTo(JobId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
