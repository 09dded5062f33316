package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Expected workers written compact in records and notifications, and read back safely. */
class ExpectedWorkersTest {
  private static final JobId ID = JobId.generate(Clock.systemUTC());

  private static JobRecord broadcast(List<String> expected) {
    Job job = new Job(ID, Operation.of("diag.echo"), OperationKind.QUERY, Target.parse("_all"),
        Instant.parse("2026-12-05T20:00:00Z"));
    return JobRecord.submitted(job, expected, Duration.ofMinutes(1));
  }

  private static List<String> hosts(int n) {
    return IntStream.range(0, n).mapToObj(NatsLargeFleetIT::host).sorted().toList();
  }

  /** {@code n} ids of the longest length, random: the worst case for the compression. */
  private static List<String> random64(int n) {
    Random r = new Random(7);
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder b = new StringBuilder("w");
      while (b.length() < 64) {
        char c = alphabet.charAt(r.nextInt(alphabet.length()));
        if (c != '.' || b.charAt(b.length() - 1) != '.') {
          b.append(c);
        }
      }
      if (b.charAt(63) == '.') {
        b.setCharAt(63, 'x');
      }
      out.add(b.toString());
    }
    out.sort(null);
    return out;
  }

  @Test
  void aFleetOfTwentyThousandFitsInAFractionOfTheMaxPayloadAndReadsBack() {
    JobRecord r = broadcast(hosts(20_000));
    byte[] compact = Records.record(r);
    assertThat(Records.record(ID, compact)).isEqualTo(r);
    JobNotification n = Records.notification(Records.notification(JobNotification.of(r)));
    assertThat(n.expected()).isEqualTo(r.expected());
    assertThat(n.expects("host-12345.rack-25.dc-0.example.com")).isTrue();
    assertThat(n.expects("host-20000.rack-00.dc-2.example.com")).isFalse();
    int plain = r.expected().stream().mapToInt(w -> w.length() + 3).sum();
    assertThat(compact.length).isLessThan(plain / 5).isLessThan(1024 * 1024 / 8);
    System.out.printf("20,000 host names: record %,d bytes (as a JSON array: about %,d)%n",
        compact.length, plain);
  }

  /**
   * The limit, measured: ids with nothing in common do not compress (Base64 eats what DEFLATE
   * saves), so 20,000 random ids of 64 characters make a record above 1 MiB either way, and such
   * a fleet needs a larger max payload (docs/operations.md).
   */
  @Test
  void randomIdsOfTheLongestLengthAreNoLargerPackedThanPlain() {
    JobRecord r = broadcast(random64(20_000));
    byte[] compact = Records.record(r);
    assertThat(Records.record(ID, compact)).isEqualTo(r);
    int plain = r.expected().stream().mapToInt(w -> w.length() + 3).sum();
    System.out.printf("20,000 random 64-character ids: record %,d bytes (as a JSON array: about"
        + " %,d; max payload 1,048,576)%n", compact.length, plain);
    assertThat(compact.length).isLessThan(plain);
  }

  @Test
  void aThousandOrFewerStayAPlainArray() {
    String text = new String(Records.record(broadcast(hosts(1000))), StandardCharsets.UTF_8);
    assertThat(text).contains("\"expected\":[\"").doesNotContain("expected_z");
    String more = new String(Records.record(broadcast(hosts(1001))), StandardCharsets.UTF_8);
    assertThat(more).contains("\"expected_n\":1001,\"expected_z\":\"").doesNotContain("\"expected\"");
  }

  private static String recordWith(String expectedFields) {
    return "{\"v\":2,\"id\":\"" + ID.value() + "\",\"created\":\"2026-12-05T20:00:00Z\","
        + "\"kind\":\"query\",\"target\":\"_all\",\"operation\":{\"type\":\"diag.echo\","
        + "\"data\":{}}," + expectedFields + ",\"timeline\":[]}";
  }

  @Test
  void aPackedListThatIsNotWhatItSaysIsACorruptRecord() {
    String two = ExpectedWorkers.encode(List.of("w1", "w2"));
    assertThat(Records.record(ID, recordWith("\"expected_n\":2,\"expected_z\":\"" + two + "\"")
        .getBytes(StandardCharsets.UTF_8)).expected()).containsExactly("w1", "w2");
    for (String bad : List.of(
        "\"expected_n\":3,\"expected_z\":\"" + two + "\"",
        "\"expected_n\":0,\"expected_z\":\"" + two + "\"",
        "\"expected_n\":2,\"expected_z\":\"not base64!\"",
        "\"expected_n\":2,\"expected_z\":\"" + Base64.getEncoder().encodeToString(
            "plain".getBytes(StandardCharsets.US_ASCII)) + "\"",
        "\"expected_n\":2,\"expected_z\":\"" + two.substring(0, two.length() / 2) + "\"",
        "\"expected\":[\"w1\"],\"expected_n\":2,\"expected_z\":\"" + two + "\"",
        // a bomb: a megabyte of one id's worth of letters, said to be one id
        "\"expected_n\":1,\"expected_z\":\"" + ExpectedWorkers.encode(List.of("a".repeat(1 << 20)))
            + "\"",
        "\"expected_n\":2,\"expected_z\":\"" + ExpectedWorkers.encode(List.of("w1", "-bad"))
            + "\"")) {
      assertThatThrownBy(() -> Records.record(ID, recordWith(bad).getBytes(StandardCharsets.UTF_8)))
          .as(bad).isInstanceOf(CorruptRecordException.class);
    }
  }
}
