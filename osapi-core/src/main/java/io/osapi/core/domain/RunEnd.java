package io.osapi.core.domain;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The canonical bytes of a run's end, what a worker signs and a reader verifies: a fixed tag, then
 * the job id, the run key's slot, the worker, the attempt, the state, the start and end, the
 * dead-letter flag, the result and the error. Strings are their UTF-8 bytes after a 4-byte length
 * (-1 for none), numbers big-endian, times as epoch seconds and nanoseconds: two different ends
 * never share their bytes, and an end of another job, run or attempt never matches.
 */
public final class RunEnd {
  private static final String TAG = "osapi run end v1";

  private RunEnd() {}

  /** The bytes of {@code run} (terminal) stored under {@code key}. */
  public static byte[] bytes(RunKey key, Run run) {
    if (!run.state().terminal()) {
      throw new IllegalArgumentException("not an end: " + run.state().wire());
    }
    int size = 128 + length(run.result()) + length(run.error());
    ByteArrayOutputStream buf = new ByteArrayOutputStream(size);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      string(out, TAG);
      string(out, key.job().value());
      string(out, key.slot());
      string(out, run.worker());
      out.writeInt(run.attempt());
      string(out, run.state().wire());
      time(out, run.started());
      time(out, run.ended());
      out.writeBoolean(run.deadLettered());
      string(out, run.result());
      string(out, run.error());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static void time(DataOutputStream out, Instant t) throws IOException {
    if (t == null) {
      out.writeLong(Long.MIN_VALUE);
      out.writeInt(-1);
      return;
    }
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }
}
